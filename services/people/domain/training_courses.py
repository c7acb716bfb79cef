"""Training courses and trainers (seed 000 §五, 001 §五, 002 §六, 004 培训与发展制度).

Courses cover platform rules, operations skills, data analysis, customer service and teamwork
(seed 000 §五(一)3); they are given internally, externally, online or hands-on (§五(二)); every
training ends with an exam, an assignment or a practical assessment (§五(三)1).

Choice: the pass mark defaults to 60 of 100, the pass line of the company's grading (seed 004
绩效考核制度: below 60 fails).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.common.errors import InvalidArgument
from services.people.domain.validation import validate_code, validate_text

DEFAULT_PASS_MARK = Decimal(60)
MAX_SCORE = Decimal(100)


class CourseCategory(StrEnum):
    PLATFORM_RULES = "PLATFORM_RULES"
    OPERATIONS_SKILLS = "OPERATIONS_SKILLS"
    DATA_ANALYSIS = "DATA_ANALYSIS"
    CUSTOMER_SERVICE = "CUSTOMER_SERVICE"
    TEAMWORK = "TEAMWORK"


class TrainingMode(StrEnum):
    INTERNAL = "INTERNAL"
    EXTERNAL = "EXTERNAL"
    ONLINE = "ONLINE"
    HANDS_ON = "HANDS_ON"


class AssessmentKind(StrEnum):
    EXAM = "EXAM"
    ASSIGNMENT = "ASSIGNMENT"
    PRACTICAL = "PRACTICAL"


def validate_score(score: Decimal, field_path: str) -> Decimal:
    """A score or pass mark between 0 and 100 inclusive."""
    if not isinstance(score, Decimal) or not score.is_finite() or not 0 <= score <= MAX_SCORE:
        raise InvalidArgument.for_field(
            field_path, "must be a number from 0 to 100", reason="SCORE_OUT_OF_RANGE"
        )
    return score


@dataclass(frozen=True)
class Trainer:
    """An internal trainer (an employee, seed 000: experts and supervisors) or an external one."""

    name: str
    employee_code: str | None = None
    organisation: str = ""

    def __post_init__(self) -> None:
        validate_text(self.name, field_path="trainer.name", max_length=100)
        validate_text(
            self.organisation, field_path="trainer.organisation", max_length=100, required=False
        )


@dataclass(frozen=True)
class Course:
    """A course of the annual plan, with how it is taught and assessed."""

    code: str
    title: str
    category: CourseCategory
    mode: TrainingMode
    assessment_kind: AssessmentKind
    pass_mark: Decimal = DEFAULT_PASS_MARK

    def __post_init__(self) -> None:
        validate_code(self.code, field_path="course.code")
        validate_text(self.title, field_path="course.title", max_length=200)
        validate_score(self.pass_mark, "course.pass_mark")
