"""QC sampling of one receipt line (seed 003 appendix 3)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.errors import FailedPrecondition, InvalidArgument
from services.inventory.domain.qc import QcLine, QcPolicy, QcState, sample_size


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [(1, 1), (5, 1), (9, 1), (10, 1), (11, 2), (19, 2), (20, 2), (21, 3), (100, 10), (101, 11)],
)
def test_first_sample_is_ten_percent_rounded_up_and_at_least_one(quantity, expected):
    assert sample_size(quantity) == expected


def test_sample_size_refuses_zero_quantity():
    with pytest.raises(InvalidArgument):
        sample_size(0)


def test_sample_never_exceeds_the_quantity_even_with_a_large_minimum():
    assert sample_size(3, QcPolicy(min_sample=5)) == 3


def test_new_line_awaits_its_first_sample():
    line = QcLine.open("TEA-1", 50)
    assert line.state is QcState.AWAITING_SAMPLE
    assert line.sample_size == 5
    assert (line.inspected, line.defective, line.good) == (0, 0, 0)
    assert line.pass_rate is None


def test_clean_first_sample_accepts_the_line_and_counts_every_unit_good():
    line = QcLine.open("TEA-1", 50).record_round(5, 0)
    assert line.state is QcState.ACCEPTED
    assert line.sample_size == 0
    assert line.good == 50


def test_any_defective_in_first_sample_needs_a_second_sample_of_ten_percent():
    line = QcLine.open("TEA-1", 50).record_round(5, 1)
    assert line.state is QcState.NEEDS_SECOND_SAMPLE
    assert line.sample_size == 5
    assert line.good == 0


def test_second_sample_is_capped_at_units_not_yet_inspected():
    # 15 units: first sample 2; inspector looked at 14, one bad → only 1 left to sample.
    line = QcLine.open("TEA-1", 15).record_round(14, 1)
    assert line.state is QcState.NEEDS_SECOND_SAMPLE
    assert line.sample_size == 1


def test_second_sample_below_70_percent_rejects_whole_line():
    # 20 units: samples of 2 + 2; 4 inspected, 2 defective → 50%.
    line = QcLine.open("TEA-1", 20).record_round(2, 1).record_round(2, 1)
    assert line.state is QcState.REJECTED
    assert line.good == 0
    assert line.sample_size == 0


def test_second_sample_at_exactly_70_percent_needs_full_inspection():
    # 100 units: 10 + 10 inspected, 6 defective → 14/20 = 70% exactly.
    line = QcLine.open("TEA-1", 100).record_round(10, 3).record_round(10, 3)
    assert line.pass_rate == Fraction(7, 10)
    assert line.state is QcState.NEEDS_FULL_INSPECTION
    assert line.sample_size == 80


def test_second_sample_just_below_70_percent_rejects():
    # 1000 units: 100 + 100 inspected, 61 defective → 139/200 = 69.5%.
    line = QcLine.open("TEA-1", 1000).record_round(100, 31).record_round(100, 30)
    assert line.pass_rate == Fraction(139, 200)
    assert line.state is QcState.REJECTED


def test_second_sample_between_70_and_100_percent_needs_full_inspection():
    line = QcLine.open("TEA-1", 100).record_round(10, 1).record_round(10, 0)
    assert line.state is QcState.NEEDS_FULL_INSPECTION
    assert line.sample_size == 80


def test_pass_rate_over_both_samples_not_the_second_alone():
    # Second sample is clean (100%) but the combined rate 15/20 = 75% still needs full inspection.
    line = QcLine.open("TEA-1", 100).record_round(10, 5).record_round(10, 0)
    assert line.state is QcState.NEEDS_FULL_INSPECTION


def test_full_inspection_accepts_line_with_its_defective_count():
    line = QcLine.open("TEA-1", 100).record_round(10, 1).record_round(10, 0).record_round(80, 4)
    assert line.state is QcState.ACCEPTED
    assert line.inspected == 100
    assert line.defective == 5
    assert line.good == 95
    assert line.rounds == 3


def test_full_inspection_finding_many_defects_still_accepts_the_good_units():
    line = QcLine.open("TEA-1", 100).record_round(10, 1).record_round(10, 0).record_round(80, 80)
    assert line.state is QcState.ACCEPTED
    assert line.good == 19


def test_one_unit_delivery_with_good_unit_is_accepted():
    line = QcLine.open("TEA-1", 1).record_round(1, 0)
    assert line.state is QcState.ACCEPTED
    assert line.good == 1


def test_one_unit_delivery_with_defective_unit_is_rejected():
    line = QcLine.open("TEA-1", 1).record_round(1, 1)
    assert line.state is QcState.REJECTED


def test_inspecting_everything_in_first_round_decides_at_once_on_the_pass_rate():
    line = QcLine.open("TEA-1", 10).record_round(10, 2)  # 80%: full inspection already done
    assert line.state is QcState.ACCEPTED
    assert line.good == 8
    line = QcLine.open("TEA-1", 10).record_round(10, 4)  # 60%
    assert line.state is QcState.REJECTED


def test_second_sample_that_exhausts_the_line_at_70_percent_or_more_accepts():
    # 10 units: first sample 1 (bad); the second round inspects all 9 left → 8/10 = 80%.
    line = QcLine.open("TEA-1", 10).record_round(1, 1).record_round(9, 1)
    assert line.state is QcState.ACCEPTED
    assert line.defective == 2
    assert line.good == 8


def test_round_smaller_than_required_sample_names_the_field():
    with pytest.raises(InvalidArgument) as err:
        QcLine.open("TEA-1", 50).record_round(4, 0, field_prefix="lines[3].")
    assert err.value.violations[0].field == "lines[3].inspected"
    assert "at least 5" in err.value.message


def test_full_inspection_round_must_cover_every_remaining_unit():
    line = QcLine.open("TEA-1", 100).record_round(10, 1).record_round(10, 0)
    with pytest.raises(InvalidArgument) as err:
        line.record_round(79, 0)
    assert "all units not yet inspected" in err.value.message


def test_round_larger_than_units_left_is_refused():
    with pytest.raises(InvalidArgument) as err:
        QcLine.open("TEA-1", 10).record_round(11, 0)
    assert err.value.violations[0].field == "inspected"


def test_round_may_inspect_exactly_the_units_left():
    assert QcLine.open("TEA-1", 10).record_round(10, 0).state is QcState.ACCEPTED


def test_more_defectives_than_inspected_is_refused_naming_defective():
    with pytest.raises(InvalidArgument) as err:
        QcLine.open("TEA-1", 50).record_round(5, 6, field_prefix="lines[0].")
    assert err.value.violations[0].field == "lines[0].defective"


def test_defectives_equal_to_inspected_are_allowed():
    line = QcLine.open("TEA-1", 50).record_round(5, 5)
    assert line.state is QcState.NEEDS_SECOND_SAMPLE


@pytest.mark.parametrize(("inspected", "defective"), [(-1, 0), (5, -1)])
def test_negative_counts_are_refused(inspected, defective):
    with pytest.raises(InvalidArgument):
        QcLine.open("TEA-1", 50).record_round(inspected, defective)


@pytest.mark.parametrize("state_rounds", [[(5, 0)], [(2, 1), (2, 1)]])
def test_decided_line_takes_no_further_round(state_rounds):
    line = QcLine.open("TEA-1", 50 if len(state_rounds) == 1 else 20)
    for inspected, defective in state_rounds:
        line = line.record_round(inspected, defective)
    with pytest.raises(FailedPrecondition) as err:
        line.record_round(1, 0)
    assert err.value.reason == "QC_LINE_DECIDED"


def test_policy_threshold_is_a_setting():
    strict = QcPolicy(reject_below=Decimal("0.90"))
    line = QcLine.open("TEA-1", 100, strict).record_round(10, 1, strict).record_round(10, 2, strict)
    assert line.state is QcState.REJECTED  # 17/20 = 85% < 90%


@pytest.mark.parametrize("rate", [Decimal(0), Decimal("1.01")])
def test_policy_refuses_rates_outside_zero_to_one(rate):
    with pytest.raises(InvalidArgument):
        QcPolicy(sample_rate=rate)


def test_line_refuses_invalid_sku_and_quantity():
    with pytest.raises(InvalidArgument):
        QcLine.open("bad sku", 1)
    with pytest.raises(InvalidArgument):
        QcLine.open("TEA-1", 0)


@given(
    quantity=st.integers(1, 400),
    data=st.data(),
)
def test_any_valid_inspection_sequence_ends_decided_with_consistent_counts(quantity, data):
    line = QcLine.open("TEA-1", quantity)
    for _ in range(3):
        if line.state in (QcState.ACCEPTED, QcState.REJECTED):
            break
        inspected = data.draw(st.integers(line.sample_size, line.uninspected))
        defective = data.draw(st.integers(0, inspected))
        line = line.record_round(inspected, defective)
    assert line.state in (QcState.ACCEPTED, QcState.REJECTED)
    assert 0 <= line.defective <= line.inspected <= quantity
    assert line.good == (quantity - line.defective if line.state is QcState.ACCEPTED else 0)
    assert line.rounds <= 3
