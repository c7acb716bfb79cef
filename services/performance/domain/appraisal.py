"""Monthly appraisal: seed 000 四(二)(三), seed 004 绩效考核制度 2.

Sources: self-assessment (month end), the supervisor's score and comments, peer scores from other
departments (averaged), and the KPI score computed from system data (`kpi_scoring`). Each is a
Decimal 0-100. Total = Σ weight × score over the sources present, divided by the weights present
(a missing self-assessment or missing peer scores neither zero the total nor inflate one source's
pull beyond its share), rounded to 2 places ROUND_HALF_UP. The supervisor and KPI scores are
required before submission.

Default weights (`DEFAULT_APPRAISAL_WEIGHTS`): self 10%, supervisor 40%, peers 20%, KPIs 30% —
the supervisor's judgement leads, the system's data checks it, the self-assessment counts least.
Weights are set per role and must sum to exactly 100%.

Calendar (`AppraisalCalendar`): "月度考核于次月上旬进行" → the window opens on day 1 of the next
month and closes on day 10 (上旬 = the first ten days); self-assessment may start on the last day
of the appraised month ("每月末自评"). States: OPEN → SUBMITTED → CLOSED; SUBMITTED may be reopened
before closing; nothing changes after CLOSED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from fractions import Fraction

from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.common.money import quantize_half_up, to_fraction
from services.performance.domain.grades import Grade, grade_for_score, validate_score
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import Role

SCORE_PLACES = 2


class AppraisalState(Enum):
    OPEN = "OPEN"
    SUBMITTED = "SUBMITTED"
    CLOSED = "CLOSED"


@dataclass(frozen=True)
class AppraisalWeights:
    """Shares of each source in the total; Decimal fractions summing to exactly 1."""

    self_assessment: Decimal
    supervisor: Decimal
    peers: Decimal
    kpis: Decimal

    def __post_init__(self) -> None:
        parts = self.as_dict()
        for name, weight in parts.items():
            to_fraction(weight, f"weights.{name}")
            if not 0 <= weight <= 1:
                raise InvalidArgument.for_field(
                    f"weights.{name}",
                    f"must be between 0 and 1, got {weight}",
                    reason="APPRAISAL_WEIGHT_OUT_OF_RANGE",
                )
        weight_sum = sum(parts.values(), Decimal(0))
        if weight_sum != 1:
            raise InvalidArgument.for_field(
                "weights",
                f"must sum to exactly 100%, got {weight_sum * 100}%",
                reason="APPRAISAL_WEIGHTS_NOT_100_PERCENT",
            )

    def as_dict(self) -> dict[str, Decimal]:
        return {
            "self_assessment": self.self_assessment,
            "supervisor": self.supervisor,
            "peers": self.peers,
            "kpis": self.kpis,
        }


DEFAULT_APPRAISAL_WEIGHTS = AppraisalWeights(
    self_assessment=Decimal("0.10"),
    supervisor=Decimal("0.40"),
    peers=Decimal("0.20"),
    kpis=Decimal("0.30"),
)


def weights_for(
    role: Role, overrides: Mapping[Role, AppraisalWeights] | None = None
) -> AppraisalWeights:
    """The weights configured for `role`, else the defaults."""
    return (overrides or {}).get(role, DEFAULT_APPRAISAL_WEIGHTS)


@dataclass(frozen=True)
class AppraisalCalendar:
    open_day: int = 1
    close_day: int = 10
    self_assessment_from_month_end: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.open_day <= self.close_day <= 28:
            raise InvalidArgument.for_field(
                "calendar",
                f"need 1 <= open_day <= close_day <= 28, got {self.open_day}..{self.close_day}",
                reason="INVALID_APPRAISAL_CALENDAR",
            )

    def opens_on(self, month: YearMonth) -> date:
        return month.next().day(self.open_day)

    def closes_on(self, month: YearMonth) -> date:
        return month.next().day(self.close_day)

    def self_assessment_opens_on(self, month: YearMonth) -> date:
        return month.last_day() if self.self_assessment_from_month_end else self.opens_on(month)


@dataclass(frozen=True)
class PeerScore:
    reviewer_code: str
    reviewer_department: str
    score: Decimal


@dataclass
class MonthlyAppraisal:
    """One employee's appraisal for one month (an aggregate; mutate through its methods)."""

    employee_code: str
    department: str
    supervisor_code: str
    month: YearMonth
    weights: AppraisalWeights = DEFAULT_APPRAISAL_WEIGHTS
    calendar: AppraisalCalendar = field(default_factory=AppraisalCalendar)
    state: AppraisalState = AppraisalState.OPEN
    self_score: Decimal | None = None
    self_comment: str = ""
    supervisor_score: Decimal | None = None
    supervisor_comments: str = ""
    peer_scores: dict[str, PeerScore] = field(default_factory=dict)
    kpi_score: Decimal | None = None
    total_score: Decimal | None = None
    grade: Grade | None = None
    closed_on: date | None = None

    def _editable(self, today: date, opens_on: date) -> None:
        if self.state is AppraisalState.CLOSED:
            raise FailedPrecondition(
                f"the {self.month} appraisal of {self.employee_code} is closed; it cannot change",
                reason="APPRAISAL_CLOSED",
            )
        if self.state is AppraisalState.SUBMITTED:
            raise FailedPrecondition(
                "the appraisal is submitted; reopen it to change scores",
                reason="APPRAISAL_SUBMITTED",
            )
        if today < opens_on:
            raise FailedPrecondition(
                f"the {self.month} appraisal opens on {opens_on}", reason="APPRAISAL_NOT_OPEN_YET"
            )
        closes_on = self.calendar.closes_on(self.month)
        if today > closes_on:
            raise FailedPrecondition(
                f"the {self.month} appraisal window closed on {closes_on}",
                reason="APPRAISAL_WINDOW_CLOSED",
            )

    def record_self_assessment(self, score: Decimal, comment: str, today: date) -> None:
        self._editable(today, self.calendar.self_assessment_opens_on(self.month))
        self.self_score = validate_score(score, "self_score")
        self.self_comment = comment

    def record_supervisor_score(
        self, reviewer_code: str, score: Decimal, comments: str, today: date
    ) -> None:
        if reviewer_code != self.supervisor_code:
            raise PermissionDenied(
                f"only {self.employee_code}'s supervisor "
                f"({self.supervisor_code}) gives the supervisor score",
                reason="NOT_THE_SUPERVISOR",
            )
        self._editable(today, self.calendar.opens_on(self.month))
        self.supervisor_score = validate_score(score, "supervisor_score")
        self.supervisor_comments = comments

    def record_peer_score(self, peer: PeerScore, today: date) -> None:
        """A peer from another department scores; a second score by the same peer replaces it."""
        if peer.reviewer_code == self.employee_code:
            raise InvalidArgument.for_field(
                "reviewer_code", "an employee cannot be their own peer", reason="PEER_IS_SELF"
            )
        if peer.reviewer_department == self.department:
            raise InvalidArgument.for_field(
                "reviewer_department",
                "peer scores come from other departments",
                reason="PEER_SAME_DEPARTMENT",
            )
        self._editable(today, self.calendar.opens_on(self.month))
        validate_score(peer.score, "peer.score")
        self.peer_scores[peer.reviewer_code] = peer

    def record_kpi_score(self, score: Decimal, today: date) -> None:
        self._editable(today, self.calendar.opens_on(self.month))
        self.kpi_score = validate_score(score, "kpi_score")

    def peer_average(self) -> Fraction | None:
        if not self.peer_scores:
            return None
        scores = [Fraction(p.score) for p in self.peer_scores.values()]
        return sum(scores, Fraction(0)) / len(scores)

    def computed_total(self) -> Decimal | None:
        """The weighted total of the sources present, 2 places ROUND_HALF_UP."""
        sources: list[tuple[Decimal, Fraction | None]] = [
            (self.weights.self_assessment, _opt(self.self_score)),
            (self.weights.supervisor, _opt(self.supervisor_score)),
            (self.weights.peers, self.peer_average()),
            (self.weights.kpis, _opt(self.kpi_score)),
        ]
        present = [(Fraction(w), s) for w, s in sources if s is not None and w > 0]
        weight_present = sum((w for w, _ in present), Fraction(0))
        if weight_present == 0:
            return None
        weighted = sum((w * s for w, s in present), Fraction(0))
        return quantize_half_up(weighted / weight_present, SCORE_PLACES)

    def submit(self, today: date) -> None:
        self._editable(today, self.calendar.opens_on(self.month))
        missing = [
            name
            for name, value in (
                ("supervisor_score", self.supervisor_score),
                ("kpi_score", self.kpi_score),
            )
            if value is None
        ]
        if missing:
            raise FailedPrecondition(
                f"record {', '.join(missing)} before submitting", reason="APPRAISAL_INCOMPLETE"
            )
        self.state = AppraisalState.SUBMITTED

    def reopen(self) -> None:
        if self.state is not AppraisalState.SUBMITTED:
            raise FailedPrecondition(
                f"only a submitted appraisal can be reopened; it is {self.state.value}",
                reason="APPRAISAL_NOT_SUBMITTED",
            )
        self.state = AppraisalState.OPEN

    def close(self, today: date) -> None:
        """Freeze the total and grade."""
        if self.state is not AppraisalState.SUBMITTED:
            raise FailedPrecondition(
                f"submit the appraisal before closing; it is {self.state.value}",
                reason="APPRAISAL_NOT_SUBMITTED",
            )
        total = self.computed_total()
        if total is None:  # pragma: no cover - submit() requires the supervisor score
            raise FailedPrecondition("no score to close with", reason="APPRAISAL_INCOMPLETE")
        self.total_score = total
        self.grade = grade_for_score(total)
        self.closed_on = today
        self.state = AppraisalState.CLOSED


def _opt(score: Decimal | None) -> Fraction | None:
    return None if score is None else Fraction(score)
