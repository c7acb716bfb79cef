"""Photo-sample loans and customer holds."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.inventory.domain.holds import (
    CustomerHold,
    HoldPolicy,
    HoldStatus,
    expired_holds,
)
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.photo_samples import (
    LoanStatus,
    SampleLoan,
    SampleLoanPolicy,
    listing_due_date,
    overdue_loans,
)

DAY0 = date(2025, 3, 1)
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


DEFAULT_POLICY = SampleLoanPolicy()


def loan(document_id: str = "SL-1", today: date = DAY0, policy=DEFAULT_POLICY) -> SampleLoan:
    return SampleLoan.lend(
        document_id=document_id,
        borrower_id="P1",
        warehouse_code="A",
        sku_code="TEA-1-RED-M",
        style_code="TEA-1",
        colour="red",
        size="M",
        quantity=2,
        today=today,
        policy=policy,
    )


def test_loan_is_due_back_seven_days_after_borrowing():
    assert loan().due_on == date(2025, 3, 8)
    assert not loan().extended


def test_loan_is_overdue_only_after_its_due_day():
    assert not loan().is_overdue(date(2025, 3, 8))
    assert loan().is_overdue(date(2025, 3, 9))


def test_extension_on_the_due_day_adds_seven_days_and_marks_the_document():
    extended = loan().extend(date(2025, 3, 8))
    assert extended.due_on == date(2025, 3, 15)
    assert extended.extended


def test_extension_after_the_due_day_is_refused():
    with pytest.raises(FailedPrecondition) as err:
        loan().extend(date(2025, 3, 9))
    assert err.value.reason == "LOAN_OVERDUE"


def test_extension_after_the_due_day_allowed_when_the_setting_says_so():
    policy = SampleLoanPolicy(extend_when_overdue=True)
    assert loan(policy=policy).extend(date(2025, 3, 9), policy).due_on == date(2025, 3, 15)


def test_only_one_extension_by_default():
    with pytest.raises(FailedPrecondition) as err:
        loan().extend(date(2025, 3, 2)).extend(date(2025, 3, 3))
    assert err.value.reason == "EXTENSION_LIMIT_REACHED"


def test_extension_length_and_count_are_settings():
    policy = SampleLoanPolicy(extension_days=3, max_extensions=2)
    twice = loan(policy=policy).extend(DAY0, policy).extend(DAY0, policy)
    assert twice.due_on == date(2025, 3, 14)
    assert twice.extensions == 2


def test_no_extension_at_all_when_max_is_zero():
    policy = SampleLoanPolicy(max_extensions=0)
    with pytest.raises(FailedPrecondition):
        loan(policy=policy).extend(DAY0, policy)


def test_reclaim_before_due_is_refused_and_after_due_closes_the_loan():
    with pytest.raises(FailedPrecondition) as err:
        loan().reclaim(date(2025, 3, 8))
    assert err.value.reason == "LOAN_NOT_OVERDUE"
    reclaimed = loan().reclaim(date(2025, 3, 9))
    assert reclaimed.status is LoanStatus.RECLAIMED
    assert reclaimed.closed_on == date(2025, 3, 9)
    assert reclaimed.reclaim(date(2025, 3, 10)) is reclaimed


def test_return_closes_the_loan_and_again_is_a_no_op():
    returned = loan().give_back(date(2025, 3, 4))
    assert returned.status is LoanStatus.RETURNED
    assert returned.give_back(date(2025, 3, 5)) is returned
    assert not returned.is_overdue(date(2025, 4, 1))


def test_closed_loan_cannot_be_extended_or_reclaimed():
    returned = loan().give_back(date(2025, 3, 4))
    with pytest.raises(FailedPrecondition) as err:
        returned.extend(date(2025, 3, 4))
    assert err.value.reason == "LOAN_CLOSED"
    with pytest.raises(FailedPrecondition):
        returned.reclaim(date(2025, 4, 1))


def test_overdue_list_holds_open_loans_past_due_longest_overdue_first():
    loans = [
        loan("SL-1", date(2025, 3, 2)),
        loan("SL-2", date(2025, 3, 1)),
        loan("SL-3", date(2025, 3, 3)),
        loan("SL-4", date(2025, 2, 1)).give_back(date(2025, 2, 5)),
    ]
    assert [x.document_id for x in overdue_loans(loans, date(2025, 3, 10))] == ["SL-2", "SL-1"]


def test_samples_move_to_the_samples_location_and_back():
    assert loan().out_movements() == (
        Movement(MovementKind.TRANSFER_OUT, "TEA-1-RED-M", "A", 2),
        Movement(MovementKind.TRANSFER_IN, "TEA-1-RED-M", "SAMPLES", 2),
    )
    assert loan().back_movements()[0] == Movement(
        MovementKind.TRANSFER_OUT, "TEA-1-RED-M", "SAMPLES", 2
    )


def test_listing_is_due_three_days_after_the_inbound_notice():
    assert listing_due_date(date(2025, 2, 27)) == date(2025, 3, 2)


def test_loan_refuses_zero_quantity():
    with pytest.raises(InvalidArgument):
        SampleLoan.lend(
            document_id="SL-1",
            borrower_id="P1",
            warehouse_code="A",
            sku_code="TEA-1",
            style_code="TEA-1",
            colour="red",
            size="M",
            quantity=0,
            today=DAY0,
        )


# --- customer holds ---------------------------------------------------------------------------


def hold(hold_id: str = "H-1", created: datetime = T0) -> CustomerHold:
    return CustomerHold.create(
        hold_id=hold_id,
        customer_ref="C-88",
        sku_code="TEA-1",
        warehouse_code="A",
        quantity=3,
        created_by="S1",
        now=created,
    ).hold


def test_creating_a_hold_reserves_its_units():
    change = CustomerHold.create(
        hold_id="H-1",
        customer_ref="C-88",
        sku_code="TEA-1",
        warehouse_code="A",
        quantity=3,
        created_by="S1",
        now=T0,
    )
    assert change.movements == (Movement(MovementKind.RESERVATION, "TEA-1", "A", 3),)
    assert change.hold.status is HoldStatus.ACTIVE


def test_hold_is_kept_at_exactly_seven_days_and_expires_after():
    h = hold()
    assert not h.is_expired(T0 + timedelta(days=7))
    assert h.is_expired(T0 + timedelta(days=7, microseconds=1))


def test_expiring_a_hold_releases_its_units():
    change = hold().expire(T0 + timedelta(days=8))
    assert change.hold.status is HoldStatus.EXPIRED
    assert change.movements == (Movement(MovementKind.RELEASE, "TEA-1", "A", 3),)
    assert not change.hold.expire(T0 + timedelta(days=9)).changed


def test_expiring_a_hold_before_its_time_is_refused():
    with pytest.raises(FailedPrecondition) as err:
        hold().expire(T0 + timedelta(days=7))
    assert err.value.reason == "HOLD_NOT_EXPIRED"


def test_sales_instruction_keeps_a_hold_past_seven_days():
    kept = hold().keep(T0 + timedelta(days=20), now=T0 + timedelta(days=6))
    assert not kept.is_expired(T0 + timedelta(days=20))
    assert kept.is_expired(T0 + timedelta(days=20, seconds=1))


def test_instruction_must_point_to_the_future():
    with pytest.raises(InvalidArgument):
        hold().keep(T0, now=T0)


def test_release_by_sales_releases_units_and_again_is_a_no_op():
    change = hold().release(T0 + timedelta(days=1))
    assert change.hold.status is HoldStatus.RELEASED
    assert change.movements == (Movement(MovementKind.RELEASE, "TEA-1", "A", 3),)
    assert not change.hold.release(T0 + timedelta(days=2)).changed


def test_closed_hold_cannot_be_kept():
    released = hold().release(T0).hold
    with pytest.raises(FailedPrecondition) as err:
        released.keep(T0 + timedelta(days=30), now=T0)
    assert err.value.reason == "HOLD_CLOSED"


def test_expired_holds_lists_active_holds_past_their_limit_oldest_first():
    holds = [
        hold("H-1", T0),
        hold("H-2", T0 - timedelta(days=1)),
        hold("H-3", T0 + timedelta(days=1)),
        hold("H-4", T0 - timedelta(days=5)).release(T0).hold,
        hold("H-5", T0 - timedelta(days=3)).keep(T0 + timedelta(days=30), now=T0),
    ]
    due = expired_holds(holds, T0 + timedelta(days=7, hours=1))
    assert [h.hold_id for h in due] == ["H-2", "H-1"]


def test_hold_age_is_a_setting():
    policy = HoldPolicy(max_age=timedelta(days=3))
    assert hold().is_expired(T0 + timedelta(days=3, seconds=1), policy)
    with pytest.raises(InvalidArgument):
        HoldPolicy(max_age=timedelta(0))
