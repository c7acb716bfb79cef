"""Signature rule: which roles sign which document before posting."""

from datetime import UTC, datetime

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.inventory.domain.roles import DocumentKind, Role
from services.inventory.domain.signatures import (
    RECEIVING_SIGNATURES,
    Signature,
    SignatureRule,
    SignatureSheet,
)

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
INBOUND = DocumentKind.INBOUND


def sig(role: Role, who: str, document: DocumentKind = INBOUND) -> Signature:
    return Signature(document, role, who, NOW)


def test_receiving_rule_asks_supervisor_and_keeper_on_inbound_and_qc_on_inspection():
    assert RECEIVING_SIGNATURES.roles_for(INBOUND) == {
        Role.WAREHOUSE_SUPERVISOR,
        Role.WAREHOUSE_KEEPER,
    }
    assert RECEIVING_SIGNATURES.roles_for(DocumentKind.INSPECTION) == {Role.QC_INSPECTOR}
    assert RECEIVING_SIGNATURES.roles_for(DocumentKind.TRANSFER) == frozenset()


def test_missing_lists_roles_not_yet_signed():
    sheet = SignatureSheet().sign(sig(Role.WAREHOUSE_KEEPER, "E2"), RECEIVING_SIGNATURES)
    assert sheet.missing(INBOUND, RECEIVING_SIGNATURES) == {Role.WAREHOUSE_SUPERVISOR}


def test_require_passes_when_every_document_is_signed():
    sheet = SignatureSheet()
    for s in [
        sig(Role.WAREHOUSE_KEEPER, "E2"),
        sig(Role.WAREHOUSE_SUPERVISOR, "E1"),
        sig(Role.QC_INSPECTOR, "E3", DocumentKind.INSPECTION),
    ]:
        sheet = sheet.sign(s, RECEIVING_SIGNATURES)
    sheet.require(RECEIVING_SIGNATURES, [INBOUND, DocumentKind.INSPECTION])


def test_require_names_every_missing_role_per_document():
    with pytest.raises(FailedPrecondition) as err:
        SignatureSheet().require(RECEIVING_SIGNATURES, [INBOUND, DocumentKind.INSPECTION])
    assert err.value.reason == "MISSING_SIGNATURES"
    assert err.value.metadata == {
        "inbound": "warehouse_keeper,warehouse_supervisor",
        "inspection": "qc_inspector",
    }


def test_signing_again_by_the_same_person_is_a_no_op():
    sheet = SignatureSheet().sign(sig(Role.WAREHOUSE_KEEPER, "E2"), RECEIVING_SIGNATURES)
    assert sheet.sign(sig(Role.WAREHOUSE_KEEPER, "E2"), RECEIVING_SIGNATURES) is sheet


def test_a_second_person_cannot_sign_a_role_already_signed():
    sheet = SignatureSheet().sign(sig(Role.WAREHOUSE_KEEPER, "E2"), RECEIVING_SIGNATURES)
    with pytest.raises(FailedPrecondition) as err:
        sheet.sign(sig(Role.WAREHOUSE_KEEPER, "E7"), RECEIVING_SIGNATURES)
    assert err.value.reason == "ALREADY_SIGNED"


def test_one_person_cannot_sign_both_roles_of_a_document():
    sheet = SignatureSheet().sign(sig(Role.WAREHOUSE_KEEPER, "E2"), RECEIVING_SIGNATURES)
    with pytest.raises(FailedPrecondition) as err:
        sheet.sign(sig(Role.WAREHOUSE_SUPERVISOR, "E2"), RECEIVING_SIGNATURES)
    assert err.value.reason == "SIGNER_ALREADY_SIGNED"


def test_one_person_may_sign_both_roles_when_the_rule_allows():
    rule = SignatureRule(RECEIVING_SIGNATURES.required, distinct_signers=False)
    sheet = SignatureSheet().sign(sig(Role.WAREHOUSE_KEEPER, "E2"), rule)
    sheet = sheet.sign(sig(Role.WAREHOUSE_SUPERVISOR, "E2"), rule)
    assert sheet.missing(INBOUND, rule) == frozenset()


def test_the_same_person_may_sign_different_documents():
    sheet = SignatureSheet().sign(sig(Role.WAREHOUSE_KEEPER, "E2"), RECEIVING_SIGNATURES)
    rule = SignatureRule(
        {**RECEIVING_SIGNATURES.required, DocumentKind.INSPECTION: {Role.WAREHOUSE_KEEPER}}
    )
    sheet = sheet.sign(sig(Role.WAREHOUSE_KEEPER, "E2", DocumentKind.INSPECTION), rule)
    assert len(sheet.signatures) == 2


def test_a_role_the_document_does_not_take_is_refused():
    with pytest.raises(FailedPrecondition) as err:
        SignatureSheet().sign(sig(Role.SALES, "E5"), RECEIVING_SIGNATURES)
    assert err.value.reason == "SIGNATURE_NOT_REQUIRED"


def test_rule_cannot_be_changed_through_its_mapping():
    with pytest.raises(TypeError):
        RECEIVING_SIGNATURES.required[INBOUND] = frozenset()  # type: ignore[index]


def test_signature_needs_a_signer_and_an_aware_time():
    with pytest.raises(InvalidArgument):
        Signature(INBOUND, Role.WAREHOUSE_KEEPER, "", NOW)
    with pytest.raises(InvalidArgument):
        Signature(INBOUND, Role.WAREHOUSE_KEEPER, "E2", datetime(2025, 3, 3))
