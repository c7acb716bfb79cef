"""ABC classes, count plans, count sheets and adjustment posting."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.inventory.domain.abc_classes import (
    AbcClass,
    AbcThresholds,
    CountCadence,
    classify_abc,
    due_for_count,
)
from services.inventory.domain.cycle_counts import (
    BinStock,
    CountEntry,
    CountLine,
    CountSheet,
    plan_by_bins,
    plan_by_classes,
)
from services.inventory.domain.ledger import Movement, MovementKind

NOW = datetime(2025, 3, 31, 18, 0, tzinfo=UTC)
A, B, C = AbcClass.A, AbcClass.B, AbcClass.C


def test_abc_top_80_percent_of_value_is_a_next_15_is_b_rest_is_c():
    values = {"S1": 50, "S2": 25, "S3": 10, "S4": 8, "S5": 4, "S6": 3}
    # Shares above each SKU: 0, 50, 75, 85, 93, 97 (%).
    assert classify_abc(values) == {"S1": A, "S2": A, "S3": A, "S4": B, "S5": B, "S6": C}


def test_sku_with_exactly_80_percent_above_it_is_b():
    assert classify_abc({"S1": 80, "S2": 15, "S3": 5}) == {"S1": A, "S2": B, "S3": C}


def test_sku_with_exactly_95_percent_above_it_is_c():
    assert classify_abc({"S1": 80, "S2": 15, "S3": 4, "S4": 1})["S3"] is C


def test_one_sku_holding_everything_is_a():
    assert classify_abc({"S1": 1000}) == {"S1": A}


def test_zero_value_skus_are_c_even_when_everything_is_zero():
    assert classify_abc({"S1": 0, "S2": 0}) == {"S1": C, "S2": C}
    assert classify_abc({"S1": 10, "S2": 0})["S2"] is C


def test_equal_values_rank_by_sku_code():
    assert classify_abc({"S2": 40, "S1": 40, "S3": 20}) == {"S1": A, "S2": A, "S3": B}


def test_empty_input_gives_empty_classes():
    assert classify_abc({}) == {}


def test_negative_value_is_refused():
    with pytest.raises(InvalidArgument):
        classify_abc({"S1": -1})


def test_thresholds_are_settings_and_checked():
    assert classify_abc({"S1": 60, "S2": 40}, AbcThresholds(a_share=Decimal("0.5")))["S2"] is B
    with pytest.raises(InvalidArgument):
        AbcThresholds(a_share=Decimal("0.9"), b_share=Decimal("0.2"))


def test_due_for_count_by_class_interval_and_never_counted_first_by_class():
    classes = {"SA": A, "SB": B, "SC": C, "SN": C}
    last = {"SA": date(2025, 3, 1), "SB": date(2025, 2, 1), "SC": date(2025, 1, 1)}
    # A: due 31 Mar; B: due 2 Apr; C: due 1 Apr; SN never counted.
    assert due_for_count(classes, last, date(2025, 3, 31)) == ("SA", "SN")
    assert due_for_count(classes, last, date(2025, 4, 1)) == ("SA", "SC", "SN")
    assert due_for_count(classes, last, date(2025, 3, 30)) == ("SN",)


def test_count_cadence_refuses_zero_days():
    with pytest.raises(InvalidArgument):
        CountCadence(a_days=0)


STOCK = [
    BinStock("TEA-2", "A", "A-01", 5),
    BinStock("TEA-1", "A", "A-01", 10),
    BinStock("TEA-1", "A", "A-02", 3),
    BinStock("TEA-3", "A", "A-03", 7),
    BinStock("TEA-1", "B", "A-01", 99),
]


def test_plan_by_bins_takes_every_row_of_those_bins_in_that_warehouse():
    lines = plan_by_bins(STOCK, "A", {"A-01"})
    assert [(x.sku_code, x.bin_code, x.expected) for x in lines] == [
        ("TEA-1", "A-01", 10),
        ("TEA-2", "A-01", 5),
    ]


def test_plan_by_bins_needs_a_bin():
    with pytest.raises(InvalidArgument):
        plan_by_bins(STOCK, "A", set())


def test_plan_by_classes_takes_skus_of_the_wanted_classes_and_unclassified_as_a():
    lines = plan_by_classes(STOCK, "A", {"TEA-1": A, "TEA-2": C}, {A})
    assert [(x.sku_code, x.bin_code) for x in lines] == [
        ("TEA-1", "A-01"),
        ("TEA-1", "A-02"),
        ("TEA-3", "A-03"),
    ]


def test_plan_by_classes_needs_a_class():
    with pytest.raises(InvalidArgument):
        plan_by_classes(STOCK, "A", {}, set())


def sheet() -> CountSheet:
    return CountSheet.open("CS-1", "A", plan_by_bins(STOCK, "A", {"A-01", "A-02"}))


def counted(entries: list[CountEntry], counter: str = "E1") -> CountSheet:
    return sheet().record(entries, counter)


ALL_MATCH = [
    CountEntry("TEA-1", "A-01", 10),
    CountEntry("TEA-2", "A-01", 5),
    CountEntry("TEA-1", "A-02", 3),
]


def post(s: CountSheet, approver: str = "E2", reasons=None):
    return s.post(
        approver_id=approver, now=NOW, reasons=reasons or {}, defective_warehouse_code="DEFECT"
    )


def test_count_matching_the_books_posts_nothing_but_is_posted():
    result = post(counted(ALL_MATCH))
    assert result.changed
    assert result.movements == ()
    assert result.sheet.is_posted
    assert result.sheet.approved_by == "E2"


def test_variance_is_counted_minus_expected():
    s = counted([CountEntry("TEA-1", "A-01", 8), CountEntry("TEA-1", "A-02", 4)])
    assert {x.key: x.variance for x in s.variances} == {("TEA-1", "A-01"): -2, ("TEA-1", "A-02"): 1}


def test_posting_with_uncounted_lines_is_refused():
    with pytest.raises(FailedPrecondition) as err:
        post(counted(ALL_MATCH[:2]))
    assert err.value.reason == "COUNT_INCOMPLETE"
    assert "TEA-1@A-02" in err.value.message


def test_every_variance_needs_a_reason():
    s = counted([*ALL_MATCH[:2], CountEntry("TEA-1", "A-02", 1)])
    with pytest.raises(FailedPrecondition) as err:
        post(s, reasons={("TEA-1", "A-02"): "  "})
    assert err.value.reason == "VARIANCE_REASON_MISSING"
    assert "(-2)" in err.value.message


def test_the_counter_cannot_approve_their_own_count():
    with pytest.raises(PermissionDenied) as err:
        post(counted(ALL_MATCH, counter="E1"), approver="E1")
    assert err.value.reason == "APPROVER_IS_COUNTER"


def test_anyone_who_counted_a_line_cannot_approve():
    s = sheet().record(ALL_MATCH[:2], "E1").record(ALL_MATCH[2:], "E3")
    with pytest.raises(PermissionDenied):
        post(s, approver="E3")
    assert post(s, approver="E2").changed


def test_posting_adjusts_variances_and_isolates_damaged_units():
    s = counted(
        [
            CountEntry("TEA-1", "A-01", 8, damaged=1),
            CountEntry("TEA-2", "A-01", 5),
            CountEntry("TEA-1", "A-02", 4),
        ]
    )
    result = post(s, reasons={("TEA-1", "A-01"): "mis-pick", ("TEA-1", "A-02"): "put away wrong"})
    assert result.movements == (
        Movement(MovementKind.COUNT_ADJUSTMENT, "TEA-1", "A", -2, bin_code="A-01"),
        Movement(MovementKind.COUNT_ADJUSTMENT, "TEA-1", "A", 1, bin_code="A-02"),
        Movement(MovementKind.TRANSFER_OUT, "TEA-1", "A", 1, bin_code="A-01"),
        Movement(MovementKind.TRANSFER_IN, "TEA-1", "DEFECT", 1),
    )
    reasons = {x.key: x.reason for x in result.sheet.lines}
    assert reasons[("TEA-1", "A-01")] == "mis-pick"
    assert reasons[("TEA-2", "A-01")] == ""


def test_posting_again_is_a_no_op():
    posted = post(counted(ALL_MATCH)).sheet
    again = post(posted)
    assert not again.changed
    assert again.movements == ()


def test_posted_sheet_takes_no_more_counts():
    posted = post(counted(ALL_MATCH)).sheet
    with pytest.raises(FailedPrecondition) as err:
        posted.record(ALL_MATCH, "E1")
    assert err.value.reason == "COUNT_SHEET_POSTED"


def test_recount_replaces_the_earlier_count():
    s = counted([CountEntry("TEA-1", "A-01", 7)]).record([CountEntry("TEA-1", "A-01", 10)], "E4")
    line = next(x for x in s.lines if x.key == ("TEA-1", "A-01"))
    assert (line.counted, line.counted_by, line.variance) == (10, "E4", 0)


def test_damaged_cannot_exceed_counted():
    with pytest.raises(InvalidArgument) as err:
        counted([CountEntry("TEA-1", "A-01", 2, damaged=3)])
    assert err.value.violations[0].field == "entries[0].damaged"


def test_count_of_a_line_not_on_the_sheet_is_refused():
    with pytest.raises(InvalidArgument):
        counted([CountEntry("TEA-3", "A-03", 7)])


def test_count_naming_a_line_twice_is_refused():
    with pytest.raises(InvalidArgument):
        counted([CountEntry("TEA-1", "A-01", 7), CountEntry("TEA-1", "A-01", 8)])


def test_count_of_zero_units_is_a_full_shortage():
    s = counted([CountEntry("TEA-1", "A-01", 0), *ALL_MATCH[1:]])
    result = post(s, reasons={("TEA-1", "A-01"): "stolen"})
    assert result.movements == (
        Movement(MovementKind.COUNT_ADJUSTMENT, "TEA-1", "A", -10, bin_code="A-01"),
    )


def test_sheet_needs_lines_and_no_duplicates():
    with pytest.raises(InvalidArgument):
        CountSheet.open("CS-1", "A", [])
    line = CountLine("TEA-1", "A-01", 1)
    with pytest.raises(InvalidArgument):
        CountSheet.open("CS-1", "A", [line, line])
