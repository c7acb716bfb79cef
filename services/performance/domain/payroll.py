"""Monthly payroll statements: explained lines, a total, and approval that closes them.

Every line carries its amount (minor units; deductions and penalties are negative), the rule it
applies (seed citation), a sentence and the structured figures it came from, so a person can redo
each line by hand. Total = the sum of the lines, nothing else.

States: DRAFT → APPROVED. An approved statement is closed and immutable. A mistake found later is
corrected by a new CORRECTION statement for the same employee and month holding only ADJUSTMENT
lines (each with its reason), never by editing the approved one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import Money, total
from services.performance.domain.explained import Explained
from services.performance.domain.period import YearMonth


class LineKind(Enum):
    BASE_SALARY = "BASE_SALARY"
    PERFORMANCE_PAY = "PERFORMANCE_PAY"
    GRADE_ADJUSTMENT = "GRADE_ADJUSTMENT"
    OVER_PLAN_BONUS = "OVER_PLAN_BONUS"
    SUPERVISOR_PENALTY = "SUPERVISOR_PENALTY"
    COMMISSION = "COMMISSION"
    ATTENDANCE_DEDUCTION = "ATTENDANCE_DEDUCTION"
    ADJUSTMENT = "ADJUSTMENT"


class StatementState(Enum):
    DRAFT = "DRAFT"
    APPROVED = "APPROVED"


class StatementKind(Enum):
    REGULAR = "REGULAR"
    CORRECTION = "CORRECTION"


@dataclass(frozen=True)
class PayrollLine:
    kind: LineKind
    amount: Money
    rule: str
    explanation: str
    inputs: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, kind: LineKind, explained: Explained) -> PayrollLine:
        return cls(
            kind, explained.amount, explained.rule, explained.explanation, dict(explained.inputs)
        )


def adjustment_line(amount: Money, reason: str, entered_by: str) -> PayrollLine:
    """A manual correction with the reason a person gave for it."""
    if not reason.strip():
        raise InvalidArgument.for_field(
            "reason", "say why the adjustment is made", reason="ADJUSTMENT_REASON_MISSING"
        )
    return PayrollLine(
        LineKind.ADJUSTMENT,
        amount,
        "manual adjustment",
        f"{reason} (entered by {entered_by}): {amount}",
        {"entered_by": entered_by, "amount_minor": str(amount.amount_minor)},
    )


@dataclass
class PayrollStatement:
    """One employee's pay for one month (`sequence` 0) or a correction of it (1, 2, ...)."""

    employee_code: str
    month: YearMonth
    currency: str
    kind: StatementKind = StatementKind.REGULAR
    sequence: int = 0
    lines: tuple[PayrollLine, ...] = ()
    state: StatementState = StatementState.DRAFT
    approved_by: str | None = None
    approved_on: date | None = None

    def add_line(self, line: PayrollLine) -> None:
        if self.state is StatementState.APPROVED:
            raise FailedPrecondition(
                f"the {self.month} statement of {self.employee_code} is approved and closed; "
                "issue a correction statement instead",
                reason="STATEMENT_APPROVED",
            )
        if line.amount.currency != self.currency:
            raise InvalidArgument.for_field(
                "line.amount",
                f"must be in {self.currency}, got {line.amount.currency}",
                reason="CURRENCY_MISMATCH",
            )
        if self.kind is StatementKind.CORRECTION and line.kind is not LineKind.ADJUSTMENT:
            raise InvalidArgument.for_field(
                "line.kind",
                "a correction statement holds only ADJUSTMENT lines",
                reason="CORRECTION_NOT_ADJUSTMENT",
            )
        self.lines = (*self.lines, line)

    def total(self) -> Money:
        return total((line.amount for line in self.lines), self.currency)

    def lines_of(self, kind: LineKind) -> tuple[PayrollLine, ...]:
        return tuple(line for line in self.lines if line.kind is kind)

    def approve(self, approver: str, today: date) -> None:
        """Close the statement; from here on it never changes."""
        if self.state is StatementState.APPROVED:
            raise FailedPrecondition(
                "the statement is already approved", reason="STATEMENT_APPROVED"
            )
        if not self.lines:
            raise FailedPrecondition(
                "an empty statement cannot be approved", reason="STATEMENT_EMPTY"
            )
        self.state = StatementState.APPROVED
        self.approved_by = approver
        self.approved_on = today


def correction_statement(
    original: PayrollStatement, adjustments: Iterable[PayrollLine], sequence: int
) -> PayrollStatement:
    """A new DRAFT statement correcting an approved one with ADJUSTMENT lines.

    `sequence` is the next free number for that employee and month (the adapter knows it).
    """
    if original.state is not StatementState.APPROVED:
        raise FailedPrecondition(
            "the statement is still a draft; change it directly", reason="STATEMENT_NOT_APPROVED"
        )
    if sequence <= original.sequence:
        raise InvalidArgument.for_field(
            "sequence", f"must be above {original.sequence}", reason="INVALID_SEQUENCE"
        )
    correction = PayrollStatement(
        original.employee_code,
        original.month,
        original.currency,
        StatementKind.CORRECTION,
        sequence,
    )
    for line in adjustments:
        correction.add_line(line)
    if not correction.lines:
        raise InvalidArgument.for_field(
            "adjustments", "a correction needs at least one adjustment", reason="CORRECTION_EMPTY"
        )
    return correction
