"""Appraisal grades and their bonus coefficient: seed 004 绩效考核制度 3.

Bands on the Decimal score (0-100), exact at the boundaries: ≥ 90 EXCELLENT ×1.5; ≥ 80 GOOD ×1.2
(the seed's "80-89" read as [80, 90), so 89.99 is GOOD); ≥ 60 PASS ×1.0 ("60-79" as [60, 80));
< 60 FAIL ×0.5. The coefficient multiplies the month's performance pay (绩效奖金 = the 500 of
seed 003 篇1, see `performance_pay`), not the base salary, the over-plan bonus or commission; it
appears on the statement as a GRADE_ADJUSTMENT line of performance pay × (coefficient − 1).
Two FAIL months in a row raise a review flag (position change or termination review); the flag is
advice for a person, never an automatic action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.performance.domain.explained import Explained
from services.performance.domain.period import YearMonth


class Grade(Enum):
    EXCELLENT = "EXCELLENT"  # 优秀
    GOOD = "GOOD"  # 良好
    PASS = "PASS"  # 合格  # noqa: S105 (a grade, not a password)
    FAIL = "FAIL"  # 不合格

    @property
    def coefficient(self) -> Decimal:
        return GRADE_COEFFICIENTS[self]


GRADE_COEFFICIENTS: Mapping[Grade, Decimal] = {
    Grade.EXCELLENT: Decimal("1.5"),
    Grade.GOOD: Decimal("1.2"),
    Grade.PASS: Decimal("1.0"),
    Grade.FAIL: Decimal("0.5"),
}

# Lowest score of each band, highest band first.
GRADE_FLOORS: tuple[tuple[Decimal, Grade], ...] = (
    (Decimal(90), Grade.EXCELLENT),
    (Decimal(80), Grade.GOOD),
    (Decimal(60), Grade.PASS),
    (Decimal(0), Grade.FAIL),
)


def validate_score(score: Decimal | int, field_path: str = "score") -> Decimal:
    """A score as Decimal in [0, 100]; floats are refused because 89.99 is not exact in binary."""
    if isinstance(score, bool) or not isinstance(score, (Decimal, int)):
        raise InvalidArgument.for_field(
            field_path, f"must be a Decimal, got {type(score).__name__}", reason="SCORE_NOT_DECIMAL"
        )
    value = Decimal(score)
    if not value.is_finite() or not 0 <= value <= 100:
        raise InvalidArgument.for_field(
            field_path, f"must be between 0 and 100, got {score}", reason="SCORE_OUT_OF_RANGE"
        )
    return value


def grade_for_score(score: Decimal | int) -> Grade:
    """The grade of a 0-100 score."""
    value = validate_score(score)
    for floor, grade in GRADE_FLOORS:
        if value >= floor:
            return grade
    raise AssertionError("0 is the lowest floor")  # pragma: no cover


def grade_adjustment(performance_pay: Money, grade: Grade) -> Explained:
    """performance pay × (coefficient − 1), ROUND_HALF_UP to the minor unit."""
    factor = grade.coefficient - 1
    amount = performance_pay.times(factor)
    return Explained(
        amount=amount,
        rule="seed 004 绩效考核制度 3: grade coefficient on the month's performance pay",
        explanation=(
            f"grade {grade.value} coefficient {grade.coefficient}: {performance_pay} × "
            f"({grade.coefficient} − 1) = {amount}"
        ),
        inputs={
            "grade": grade.value,
            "coefficient": str(grade.coefficient),
            "performance_pay_minor": str(performance_pay.amount_minor),
        },
    )


def grade_adjustment_not_appraised(performance_pay: Money) -> Explained:
    """No closed appraisal for the month: coefficient 1.0 (PASS), i.e. no adjustment.

    Neither rewarding nor punishing a month nobody appraised; the statement carries the flag
    NOT_APPRAISED so someone closes the appraisal (and recomputes) before approving pay.
    """
    return Explained(
        amount=Money.zero(performance_pay.currency),
        rule="seed 004 绩效考核制度 3: grade coefficient on the month's performance pay",
        explanation=(
            f"not appraised yet: coefficient 1.0 applied, {performance_pay} × (1.0 − 1) "
            f"= {Money.zero(performance_pay.currency)}"
        ),
        inputs={
            "grade": "NOT_APPRAISED",
            "coefficient": "1.0",
            "performance_pay_minor": str(performance_pay.amount_minor),
        },
    )


@dataclass(frozen=True)
class ReviewFlag:
    """Two consecutive failing months: the employee's position or contract is to be reviewed."""

    months: tuple[YearMonth, YearMonth]
    reason: str = "TWO_CONSECUTIVE_FAILS"


def consecutive_fail_review(
    grades: Mapping[YearMonth, Grade], month: YearMonth
) -> ReviewFlag | None:
    """A flag when `month` and the calendar month before it are both FAIL.

    A month without a grade (not appraised) breaks the run: the seed speaks of two appraisals.
    """
    previous = month.previous()
    if grades.get(month) is Grade.FAIL and grades.get(previous) is Grade.FAIL:
        return ReviewFlag((previous, month))
    return None
