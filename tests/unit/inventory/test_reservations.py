"""Reservations: all-or-nothing checks, line order, state machine, idempotency."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from services.inventory.domain.reservations import (
    Reservation,
    ReservationState,
    Shortage,
    due_to_expire,
    find_shortages,
    normalize_lines,
    payload_fingerprint,
    require_available,
    require_same_payload,
    split_across_warehouses,
)
from services.inventory.domain.stock_lines import SkuQuantity as L

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def active(ttl: timedelta | None = None) -> Reservation:
    return Reservation.create("ORD-1", [L("TEA-2", 1), L("TEA-1", 2)], now=T0, ttl=ttl)


def test_duplicate_sku_lines_are_merged_and_sorted_by_sku():
    lines = normalize_lines([L("TEA-9", 1), L("TEA-1", 2), L("TEA-9", 3)])
    assert lines == (L("TEA-1", 2), L("TEA-9", 4))


def test_sort_is_by_code_point_so_capitals_come_first():
    assert [x.sku_code for x in normalize_lines([L("b", 1), L("B", 1), L("a", 1)])] == [
        "B",
        "a",
        "b",
    ]


def test_empty_request_is_refused():
    with pytest.raises(InvalidArgument) as err:
        normalize_lines([])
    assert err.value.violations[0].field == "lines"


def test_bad_line_names_its_index():
    with pytest.raises(InvalidArgument) as err:
        normalize_lines([L("TEA-1", 1), L("TEA-2", 0)])
    assert err.value.violations[0].field == "lines[1].quantity"


def test_shortages_list_every_short_sku_with_requested_and_available():
    lines = [L("TEA-1", 5), L("TEA-2", 2), L("TEA-3", 1), L("TEA-1", 1)]
    short = find_shortages(lines, {"TEA-1": 5, "TEA-2": 2})
    assert short == (Shortage("TEA-1", 6, 5), Shortage("TEA-3", 1, 0))


def test_exactly_available_is_not_short():
    assert find_shortages([L("TEA-1", 5)], {"TEA-1": 5}) == ()


def test_require_available_raises_naming_the_short_skus():
    with pytest.raises(FailedPrecondition) as err:
        require_available([L("TEA-1", 5), L("TEA-2", 1)], {"TEA-1": 3, "TEA-2": 1})
    assert err.value.reason == "INSUFFICIENT_STOCK"
    assert "TEA-1: 3 available, 5 requested" in err.value.message
    assert "TEA-2" not in err.value.message
    assert err.value.metadata == {
        "short_skus": "TEA-1",
        "TEA-1.requested": "5",
        "TEA-1.available": "3",
    }


def test_require_available_passes_when_everything_is_there():
    require_available([L("TEA-1", 5)], {"TEA-1": 5})


def test_fingerprint_ignores_line_order_and_split_lines():
    a = payload_fingerprint([L("TEA-1", 2), L("TEA-2", 1)])
    b = payload_fingerprint([L("TEA-2", 1), L("TEA-1", 1), L("TEA-1", 1)])
    assert a == b


def test_fingerprint_differs_for_a_different_quantity():
    assert payload_fingerprint([L("TEA-1", 2)]) != payload_fingerprint([L("TEA-1", 3)])


def test_same_id_with_a_different_payload_is_already_exists():
    reservation = active()
    require_same_payload("ORD-1", reservation.fingerprint, [L("TEA-1", 2), L("TEA-2", 1)])
    with pytest.raises(AlreadyExists) as err:
        require_same_payload("ORD-1", reservation.fingerprint, [L("TEA-1", 3), L("TEA-2", 1)])
    assert err.value.reason == "IDEMPOTENCY_KEY_REUSED"


def test_new_reservation_is_active_with_sorted_lines():
    reservation = active()
    assert reservation.state is ReservationState.ACTIVE
    assert reservation.lines == (L("TEA-1", 2), L("TEA-2", 1))
    assert reservation.expires_at is None


def test_release_of_active_releases_and_release_again_is_a_no_op():
    released = active().release(T0)
    assert released.changed
    assert released.reservation.state is ReservationState.RELEASED
    again = released.reservation.release(T0 + timedelta(hours=1))
    assert not again.changed
    assert again.reservation is released.reservation


def test_release_of_committed_is_refused():
    committed = active().commit(T0).reservation
    with pytest.raises(FailedPrecondition) as err:
        committed.release(T0)
    assert err.value.reason == "RESERVATION_COMMITTED"


def test_commit_of_active_commits_and_commit_again_is_a_no_op():
    committed = active().commit(T0)
    assert committed.changed
    assert committed.reservation.state is ReservationState.COMMITTED
    assert committed.reservation.closed_at == T0
    assert not committed.reservation.commit(T0).changed


def test_commit_of_released_is_refused():
    released = active().release(T0).reservation
    with pytest.raises(FailedPrecondition) as err:
        released.commit(T0)
    assert err.value.reason == "RESERVATION_RELEASED"


def test_reservation_without_ttl_never_expires():
    assert not active().is_expired(T0 + timedelta(days=3650))


def test_reservation_expires_exactly_at_its_expiry_time():
    reservation = active(ttl=timedelta(minutes=30))
    assert not reservation.is_expired(T0 + timedelta(minutes=30) - timedelta(microseconds=1))
    assert reservation.is_expired(T0 + timedelta(minutes=30))


def test_expire_before_due_is_refused():
    with pytest.raises(FailedPrecondition) as err:
        active(ttl=timedelta(minutes=30)).expire(T0 + timedelta(minutes=29))
    assert err.value.reason == "RESERVATION_NOT_DUE"


def test_expire_when_due_expires_and_then_release_is_a_no_op():
    expired = active(ttl=timedelta(minutes=30)).expire(T0 + timedelta(minutes=30)).reservation
    assert expired.state is ReservationState.EXPIRED
    assert not expired.release(T0 + timedelta(hours=1)).changed
    assert not expired.expire(T0 + timedelta(hours=1)).changed


def test_commit_of_an_expired_reservation_is_refused():
    expired = active(ttl=timedelta(minutes=30)).expire(T0 + timedelta(minutes=30)).reservation
    with pytest.raises(FailedPrecondition) as err:
        expired.commit(T0 + timedelta(hours=1))
    assert err.value.reason == "RESERVATION_EXPIRED"


def test_commit_past_expiry_is_refused_even_before_the_expiry_job_ran():
    with pytest.raises(FailedPrecondition) as err:
        active(ttl=timedelta(minutes=30)).commit(T0 + timedelta(minutes=30))
    assert err.value.reason == "RESERVATION_EXPIRED"


def test_expire_of_committed_or_released_is_a_no_op():
    assert (
        not active(ttl=timedelta(minutes=1))
        .commit(T0)
        .reservation.expire(T0 + timedelta(hours=1))
        .changed
    )
    assert (
        not active(ttl=timedelta(minutes=1))
        .release(T0)
        .reservation.expire(T0 + timedelta(hours=1))
        .changed
    )


def test_due_to_expire_lists_only_active_reservations_past_expiry_oldest_first():
    a = Reservation.create("A", [L("TEA-1", 1)], now=T0, ttl=timedelta(minutes=20))
    b = Reservation.create("B", [L("TEA-1", 1)], now=T0, ttl=timedelta(minutes=10))
    c = Reservation.create("C", [L("TEA-1", 1)], now=T0, ttl=timedelta(minutes=40))
    d = (
        Reservation.create("D", [L("TEA-1", 1)], now=T0, ttl=timedelta(minutes=5))
        .release(T0)
        .reservation
    )
    e = Reservation.create("E", [L("TEA-1", 1)], now=T0)
    due = due_to_expire([a, b, c, d, e], T0 + timedelta(minutes=20))
    assert [r.reservation_id for r in due] == ["B", "A"]


def test_ttl_must_be_positive_and_now_aware():
    with pytest.raises(InvalidArgument):
        Reservation.create("A", [L("TEA-1", 1)], now=T0, ttl=timedelta(0))
    with pytest.raises(InvalidArgument):
        Reservation.create("A", [L("TEA-1", 1)], now=datetime(2025, 3, 1))


def test_split_takes_the_fullest_warehouse_first():
    assert split_across_warehouses("TEA-1", 7, {"A": 3, "B": 5, "C": 5}) == (("B", 5), ("C", 2))


def test_split_refuses_when_all_warehouses_together_are_short():
    with pytest.raises(FailedPrecondition) as err:
        split_across_warehouses("TEA-1", 9, {"A": 3, "B": 5, "C": -2})
    assert "8 available, 9 requested" in err.value.message


@given(
    st.dictionaries(st.sampled_from("ABCDE"), st.integers(-3, 20), max_size=5),
    st.integers(1, 60),
)
def test_split_covers_the_quantity_exactly_without_exceeding_any_warehouse(available, quantity):
    total = sum(max(0, v) for v in available.values())
    if quantity > total:
        with pytest.raises(FailedPrecondition):
            split_across_warehouses("TEA-1", quantity, available)
        return
    plan = split_across_warehouses("TEA-1", quantity, available)
    assert sum(units for _, units in plan) == quantity
    assert all(0 < units <= available[code] for code, units in plan)
    assert len({code for code, _ in plan}) == len(plan)
