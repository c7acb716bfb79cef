"""Which payments count toward commission: seed 003 篇1 (四) 1-4.

- Only collected payments count (sales are evidenced by a payment receipt, (四)1): an order
  counts in the month its payment is received. Refunds for returns deduct in the month they are
  booked; the base is never below 0.
- Misconduct (fraud, harm to the company, (四)2) forfeits commission not yet paid on the day it is
  found; commission already paid stays paid.
- Leaving ((四)3-4). `leave_date` is the last day of employment. The first anniversary is the same
  month and day one year after hire (hire on 29 Feb → 1 Mar, the first day the year is complete).
  * Leaving before the first anniversary: only orders placed by the leaving date whose payment was
    received by the leaving date count. The leaving day itself counts (the employee was still on
    staff that day); `LeavingRules.count_leaving_day` switches that off for the stricter reading
    of "离职日前".
  * Leaving on or after the first anniversary: orders placed by the leaving date whose payment is
    received within 15 days after it count; day 15 counts, day 16 does not.
  * Returns refunded in the month always deduct, also for a leaver: commission is never paid on
    money given back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from services.common.errors import InvalidArgument
from services.common.money import Money, total
from services.performance.domain.period import YearMonth


@dataclass(frozen=True)
class OrderPayment:
    """An order (any shop) and when its payment was received; None = not received yet."""

    order_id: str
    shop: str
    amount: Money
    ordered_on: date
    collected_on: date | None


@dataclass(frozen=True)
class ReturnRefund:
    """Money refunded for a return, booked on `refunded_on`."""

    order_id: str
    amount: Money
    refunded_on: date


@dataclass(frozen=True)
class Employment:
    """Hire date and, once known, the last day of employment."""

    employee_code: str
    hire_date: date
    leave_date: date | None = None

    def __post_init__(self) -> None:
        if self.leave_date is not None and self.leave_date < self.hire_date:
            raise InvalidArgument.for_field(
                "leave_date",
                f"{self.leave_date} is before hire date {self.hire_date}",
                reason="LEAVE_BEFORE_HIRE",
            )

    def first_anniversary(self) -> date:
        try:
            return self.hire_date.replace(year=self.hire_date.year + 1)
        except ValueError:  # hired on 29 February
            return date(self.hire_date.year + 1, 3, 1)

    def left_within_first_year(self) -> bool:
        return self.leave_date is not None and self.leave_date < self.first_anniversary()


@dataclass(frozen=True)
class LeavingRules:
    """Settings for seed 003 篇1 (四) 3-4."""

    grace_days_after_first_year: int = 15
    count_leaving_day: bool = True


class PaymentOutcome(Enum):
    COUNTED = "COUNTED"
    NOT_COLLECTED = "NOT_COLLECTED"
    COLLECTED_IN_OTHER_MONTH = "COLLECTED_IN_OTHER_MONTH"
    ORDERED_AFTER_LEAVING = "ORDERED_AFTER_LEAVING"
    COLLECTED_AFTER_LEAVING_FIRST_YEAR = "COLLECTED_AFTER_LEAVING_FIRST_YEAR"
    COLLECTED_AFTER_GRACE_PERIOD = "COLLECTED_AFTER_GRACE_PERIOD"


@dataclass(frozen=True)
class PaymentDecision:
    payment: OrderPayment
    outcome: PaymentOutcome

    @property
    def counted(self) -> bool:
        return self.outcome is PaymentOutcome.COUNTED


def collection_cutoff(employment: Employment, rules: LeavingRules = LeavingRules()) -> date | None:
    """The last day a payment may be received and still count; None while employed."""
    if employment.leave_date is None:
        return None
    if employment.left_within_first_year():
        if rules.count_leaving_day:
            return employment.leave_date
        return employment.leave_date - timedelta(days=1)
    return employment.leave_date + timedelta(days=rules.grace_days_after_first_year)


def decide_payment(
    payment: OrderPayment,
    month: YearMonth,
    employment: Employment | None = None,
    rules: LeavingRules = LeavingRules(),
) -> PaymentDecision:
    """Whether one payment counts toward `month`'s commission (for `employment`, if given)."""
    if payment.collected_on is None:
        return PaymentDecision(payment, PaymentOutcome.NOT_COLLECTED)
    if not month.contains(payment.collected_on):
        return PaymentDecision(payment, PaymentOutcome.COLLECTED_IN_OTHER_MONTH)
    if employment is not None and employment.leave_date is not None:
        if payment.ordered_on > employment.leave_date:
            return PaymentDecision(payment, PaymentOutcome.ORDERED_AFTER_LEAVING)
        cutoff = collection_cutoff(employment, rules)
        if cutoff is not None and payment.collected_on > cutoff:
            outcome = (
                PaymentOutcome.COLLECTED_AFTER_LEAVING_FIRST_YEAR
                if employment.left_within_first_year()
                else PaymentOutcome.COLLECTED_AFTER_GRACE_PERIOD
            )
            return PaymentDecision(payment, outcome)
    return PaymentDecision(payment, PaymentOutcome.COUNTED)


@dataclass(frozen=True)
class CommissionBase:
    """The month's commission base with the decision taken on every payment."""

    month: YearMonth
    collected: Money
    refunded: Money
    base: Money
    decisions: tuple[PaymentDecision, ...]


def commission_base(
    payments: Iterable[OrderPayment],
    refunds: Iterable[ReturnRefund],
    month: YearMonth,
    currency: str,
    *,
    employment: Employment | None = None,
    rules: LeavingRules = LeavingRules(),
) -> CommissionBase:
    """Base = payments counted in `month` − refunds booked in `month`, never below 0.

    Without `employment` this is the group's base; with it, the base one (leaving) employee is
    entitled to.
    """
    decisions = tuple(decide_payment(p, month, employment, rules) for p in payments)
    collected = total((d.payment.amount for d in decisions if d.counted), currency)
    refunded = total((r.amount for r in refunds if month.contains(r.refunded_on)), currency)
    net = collected - refunded
    base = net if net.amount_minor > 0 else Money.zero(currency)
    return CommissionBase(month, collected, refunded, base, decisions)


@dataclass(frozen=True)
class CommissionAccrual:
    """Commission an employee earned for a month; `paid_on` is None until it is paid out."""

    employee_code: str
    month: YearMonth
    amount: Money
    paid_on: date | None


@dataclass(frozen=True)
class Forfeiture:
    kept: tuple[CommissionAccrual, ...]
    forfeited: tuple[CommissionAccrual, ...]


def forfeit_unpaid_commission(
    accruals: Iterable[CommissionAccrual], misconduct_found_on: date
) -> Forfeiture:
    """Seed 003 篇1 (四)2: commission unpaid when misconduct is found is not paid; paid stays paid.

    An accrual paid on the day of the finding counts as paid (the money had already left).
    """
    kept: list[CommissionAccrual] = []
    forfeited: list[CommissionAccrual] = []
    for accrual in accruals:
        if accrual.paid_on is not None and accrual.paid_on <= misconduct_found_on:
            kept.append(accrual)
        else:
            forfeited.append(accrual)
    return Forfeiture(tuple(kept), tuple(forfeited))
