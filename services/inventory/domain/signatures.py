"""Signatures on warehouse documents, as a rule: which roles must sign which document before it
can be posted.

Seed 003 篇2 7.(2): "全部有效单据必需是按规定的各货物环节的人员签字确认前方可进展帐务处理" — only
documents signed by the people of each step are posted. For receiving, the inbound document
(入库单) carries the warehouse supervisor's and the keeper's signatures (1.(3)) and QC signs the
inspection opinion (1.(5)).

Setting chosen where the seed is silent:
- ``SignatureRule.distinct_signers = True``: when a document needs two roles, two different
  people sign (one person holding both roles cannot sign twice). The point of a second signature is
  a second pair of eyes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from services.common.errors import FailedPrecondition
from services.inventory.domain.roles import DocumentKind, Role
from services.inventory.domain.validation import validate_aware, validate_text


@dataclass(frozen=True)
class Signature:
    """`signer_id` signed `document` in `role` at `signed_at`."""

    document: DocumentKind
    role: Role
    signer_id: str
    signed_at: datetime

    def __post_init__(self) -> None:
        validate_text(self.signer_id, "signer_id", max_len=64)
        validate_aware(self.signed_at, "signed_at")


@dataclass(frozen=True)
class SignatureRule:
    """The roles that must sign each document kind before it is posted."""

    required: Mapping[DocumentKind, frozenset[Role]] = field(default_factory=dict)
    distinct_signers: bool = True

    def __post_init__(self) -> None:
        # Freeze the mapping so a shared module-level rule cannot be changed by a caller.
        frozen = {doc: frozenset(roles) for doc, roles in self.required.items()}
        object.__setattr__(self, "required", MappingProxyType(frozen))

    def roles_for(self, document: DocumentKind) -> frozenset[Role]:
        """Roles that must sign `document` (empty if the document needs no signature)."""
        return self.required.get(document, frozenset())


RECEIVING_SIGNATURES = SignatureRule(
    {
        DocumentKind.INBOUND: frozenset({Role.WAREHOUSE_SUPERVISOR, Role.WAREHOUSE_KEEPER}),
        DocumentKind.INSPECTION: frozenset({Role.QC_INSPECTOR}),
    }
)
"""Seed 003 篇2 1.(3), 1.(5): supervisor + keeper sign the inbound document, QC the inspection."""


@dataclass(frozen=True)
class SignatureSheet:
    """The signatures collected so far on a document set (e.g. one receipt)."""

    signatures: tuple[Signature, ...] = ()

    def sign(self, signature: Signature, rule: SignatureRule) -> SignatureSheet:
        """Add `signature`; signing again with the same person and role is a no-op.

        Raises FailedPrecondition if the role is not asked for on that document, if another
        person already signed in that role, or (with `distinct_signers`) if this person already
        signed the document in another role.
        """
        needed = rule.roles_for(signature.document)
        if signature.role not in needed:
            wanted = ", ".join(sorted(needed)) or "no signature"
            raise FailedPrecondition(
                f"the {signature.document} document does not take a {signature.role} "
                f"signature (it needs: {wanted})",
                reason="SIGNATURE_NOT_REQUIRED",
            )
        for existing in self.on(signature.document):
            if existing.role == signature.role:
                if existing.signer_id == signature.signer_id:
                    return self
                raise FailedPrecondition(
                    f"the {signature.document} document is already signed as {signature.role} "
                    f"by {existing.signer_id}",
                    reason="ALREADY_SIGNED",
                )
            if rule.distinct_signers and existing.signer_id == signature.signer_id:
                raise FailedPrecondition(
                    f"{signature.signer_id} already signed the {signature.document} document as "
                    f"{existing.role}; another person must sign as {signature.role}",
                    reason="SIGNER_ALREADY_SIGNED",
                )
        return SignatureSheet((*self.signatures, signature))

    def on(self, document: DocumentKind) -> tuple[Signature, ...]:
        """Signatures on `document`, in signing order."""
        return tuple(s for s in self.signatures if s.document == document)

    def missing(self, document: DocumentKind, rule: SignatureRule) -> frozenset[Role]:
        """Roles that still have to sign `document`."""
        signed = {s.role for s in self.on(document)}
        return rule.roles_for(document) - signed

    def require(self, rule: SignatureRule, documents: Iterable[DocumentKind]) -> None:
        """Raise FailedPrecondition (``MISSING_SIGNATURES``) unless every document is signed."""
        gaps = {doc: self.missing(doc, rule) for doc in documents}
        gaps = {doc: roles for doc, roles in gaps.items() if roles}
        if gaps:
            detail = "; ".join(
                f"{doc}: {', '.join(sorted(roles))}" for doc, roles in sorted(gaps.items())
            )
            raise FailedPrecondition(
                f"documents are not fully signed, still missing — {detail}",
                reason="MISSING_SIGNATURES",
                metadata={str(doc): ",".join(sorted(roles)) for doc, roles in gaps.items()},
            )
