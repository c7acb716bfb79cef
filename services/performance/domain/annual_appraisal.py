"""Annual appraisal in January, built from the year's monthly appraisals (seed 004 绩效考核制度 2,
seed 000 四(二)).

Annual score = average of the CLOSED monthly total scores of that year, 2 places ROUND_HALF_UP.
Months without a closed appraisal (not yet employed, on leave, still open) are left out of the
average and listed in `months_missing`, so a person joining in October is judged on the months
worked rather than on zeros. At least `min_months` closed months are required (default 1). The
annual cycle may run from 1 January of the following year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import quantize_half_up
from services.performance.domain.appraisal import SCORE_PLACES, AppraisalState, MonthlyAppraisal
from services.performance.domain.grades import Grade, grade_for_score
from services.performance.domain.period import YearMonth


@dataclass(frozen=True)
class AnnualAppraisal:
    employee_code: str
    year: int
    score: Decimal
    grade: Grade
    months_counted: tuple[YearMonth, ...]
    months_missing: tuple[YearMonth, ...]


def annual_appraisal(
    employee_code: str,
    year: int,
    monthly: Iterable[MonthlyAppraisal],
    today: date,
    min_months: int = 1,
) -> AnnualAppraisal:
    """Aggregate `employee_code`'s closed monthly appraisals of `year`."""
    if today < date(year + 1, 1, 1):
        raise FailedPrecondition(
            f"the {year} annual appraisal runs from January {year + 1}",
            reason="ANNUAL_APPRAISAL_TOO_EARLY",
        )
    scores: dict[YearMonth, Decimal] = {}
    for index, appraisal in enumerate(monthly):
        if appraisal.employee_code != employee_code:
            raise InvalidArgument.for_field(
                f"monthly[{index}].employee_code",
                f"belongs to {appraisal.employee_code}, not {employee_code}",
                reason="APPRAISAL_OTHER_EMPLOYEE",
            )
        if appraisal.month.year != year:
            continue
        if appraisal.state is AppraisalState.CLOSED and appraisal.total_score is not None:
            scores[appraisal.month] = appraisal.total_score
    if len(scores) < min_months:
        raise FailedPrecondition(
            f"{employee_code} has {len(scores)} closed monthly appraisals "
            f"in {year}; at least {min_months} needed",
            reason="NOT_ENOUGH_MONTHLY_APPRAISALS",
        )
    average = quantize_half_up(
        sum((Fraction(s) for s in scores.values()), Fraction(0)) / len(scores), SCORE_PLACES
    )
    months = [YearMonth(year, m) for m in range(1, 13)]
    return AnnualAppraisal(
        employee_code=employee_code,
        year=year,
        score=average,
        grade=grade_for_score(average),
        months_counted=tuple(m for m in months if m in scores),
        months_missing=tuple(m for m in months if m not in scores),
    )
