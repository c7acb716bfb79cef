"""Base salary, performance pay, over-plan bonus and the supervisor penalty: seed 003 篇1 三.

Readings and settings (all in `PaySettings`, minor units of `currency`):
- Base salary: supervisor 3,500 a month, team member 2,000 (the seed's "2023元" is a scanning error
  for 2000). These are defaults; an employee's contract salary, when known, is used instead.
- Performance pay 500 a month ("绩效工资为500元"). Completion under 30% pays nothing; 30% or more
  pays that share of 500 ("30%以上依据比例"): exactly 30% pays 150.00, ROUND_HALF_UP to the fen.
  The share is capped at 100% (`cap_at_plan`): over-plan work earns the over-plan bonus instead.
  For a supervisor the completion is the whole department's plan (三(二)B.a). `full_pay_granted`
  implements 三(二)D: before the site runs smoothly, full performance pay may be granted.
- Over-plan bonus (三(二)A.b, B.b): completion strictly above 100% AND this month's sales above the
  previous month's ("有效促进销售"). Team members 50-100, supervisor 100-150. Within the range the
  amount rises linearly with over-achievement: the minimum just above 100%, the maximum at
  `bonus_full_at` (120%) and above; rounded ROUND_HALF_UP to the whole yuan (`bonus_rounding_step`
  of 100 fen). Unknown previous-month sales → no bonus (the lift is not evidenced). The seed
  names the sales condition only for promoters (A.b); DOMAIN.md applies it to both levels, and so
  do we by default (`supervisor_needs_sales_lift`).
- Supervisor penalty (三(二)B.a): 50 when the promoters complete under 30% ("未能完成30%以上");
  exactly 30% is not penalised; no promoters' target → no penalty (nothing to fail against).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from services.common.money import Money, quantize_half_up, round_half_up_to_step
from services.performance.domain.completion import Completion
from services.performance.domain.explained import Explained
from services.performance.domain.roles import PayLevel

_SEED = "seed 003 篇1 三"


@dataclass(frozen=True)
class PaySettings:
    """Pay figures of seed 003 篇1 三, in minor units (fen for CNY)."""

    currency: str = "CNY"
    supervisor_base_salary: int = 350_000
    team_member_base_salary: int = 200_000
    performance_pay: int = 50_000
    performance_pay_threshold: Decimal = Decimal("0.30")
    cap_at_plan: bool = True
    team_member_bonus_range: tuple[int, int] = (5_000, 10_000)
    supervisor_bonus_range: tuple[int, int] = (10_000, 15_000)
    bonus_full_at: Decimal = Decimal("1.20")
    supervisor_needs_sales_lift: bool = True
    bonus_rounding_step: int = 100
    supervisor_penalty: int = 5_000
    promoter_penalty_threshold: Decimal = Decimal("0.30")

    def base_salary(self, level: PayLevel) -> Money:
        if level is PayLevel.SUPERVISOR:
            return Money(self.supervisor_base_salary, self.currency)
        return Money(self.team_member_base_salary, self.currency)

    def bonus_range(self, level: PayLevel) -> tuple[Money, Money]:
        low, high = (
            self.supervisor_bonus_range
            if level is PayLevel.SUPERVISOR
            else self.team_member_bonus_range
        )
        return Money(low, self.currency), Money(high, self.currency)


def performance_pay(
    completion: Completion, settings: PaySettings = PaySettings(), *, full_pay_granted: bool = False
) -> Explained:
    """Monthly performance pay from plan completion (before the grade coefficient)."""
    full = Money(settings.performance_pay, settings.currency)
    inputs = {
        "completion_ratio": str(completion.ratio),
        "monthly_amount_minor": str(full.amount_minor),
        "threshold": str(settings.performance_pay_threshold),
    }
    rule = f"{_SEED}(二)1 绩效工资 500, 完成规划不到30%不算, 30%以上按比例"
    if full_pay_granted:
        return Explained(
            full,
            f"{_SEED}(二)D 网站顺当运营之前全额绩效工资",
            f"full performance pay granted: {full}",
            inputs,
        )
    if completion.exact is None:
        return Explained(
            Money.zero(settings.currency),
            rule,
            "no plan target set: no performance pay until one is set",
            inputs,
        )
    if completion.exact < Fraction(settings.performance_pay_threshold):
        return Explained(
            Money.zero(settings.currency),
            rule,
            f"completion {completion.percent()} is under "
            f"{settings.performance_pay_threshold * 100:.0f}%: no performance pay",
            inputs,
        )
    share = min(completion.exact, Fraction(1)) if settings.cap_at_plan else completion.exact
    amount = full.times(share)
    capped = " (capped at 100%)" if share != completion.exact else ""
    return Explained(
        amount, rule, f"{full} × completion {completion.percent()}{capped} = {amount}", inputs
    )


def over_plan_bonus(
    level: PayLevel,
    completion: Completion,
    sales_this_month: int | None,
    sales_last_month: int | None,
    settings: PaySettings = PaySettings(),
) -> Explained:
    """Bonus for beating the plan and lifting sales against the previous month."""
    low, high = settings.bonus_range(level)
    inputs = {
        "pay_level": level.value,
        "completion_ratio": str(completion.ratio),
        "sales_this_month_minor": str(sales_this_month),
        "sales_last_month_minor": str(sales_last_month),
        "range_minor": f"{low.amount_minor}-{high.amount_minor}",
        "full_at": str(settings.bonus_full_at),
    }
    rule = f"{_SEED}(二)A.b/B.b 超额完成奖 {low}-{high}"
    zero = Money.zero(settings.currency)
    if completion.exact is None or completion.exact <= 1:
        return Explained(
            zero, rule, f"completion {completion.percent()} does not beat the plan", inputs
        )
    lift_needed = level is PayLevel.TEAM_MEMBER or settings.supervisor_needs_sales_lift
    refusal = _no_sales_lift(sales_this_month, sales_last_month) if lift_needed else None
    if refusal is not None:
        return Explained(zero, rule, refusal, inputs)
    span = Fraction(settings.bonus_full_at) - 1
    position = min((completion.exact - 1) / span, Fraction(1)) if span > 0 else Fraction(1)
    exact = low.amount_minor + (high.amount_minor - low.amount_minor) * position
    amount = Money(round_half_up_to_step(exact, settings.bonus_rounding_step), settings.currency)
    return Explained(
        amount,
        rule,
        f"completion {completion.percent()} over plan: {low} + "
        f"({high} − {low}) × {quantize_half_up(position, 4)} = {amount} "
        "(rounded to whole units)",
        inputs,
    )


def _no_sales_lift(this_month: int | None, last_month: int | None) -> str | None:
    """Why the sales lift is not shown, or None when sales rose."""
    if this_month is None or last_month is None:
        return "previous month's sales unknown: the lift is not evidenced"
    if this_month <= last_month:
        return "sales did not rise against the previous month"
    return None


def supervisor_penalty(
    promoters_completion: Completion, settings: PaySettings = PaySettings()
) -> Explained:
    """−50 when the promoters complete under 30% of their plan (a negative amount)."""
    rule = f"{_SEED}(二)B.a 推广员未能完成30%以上扣50元"
    inputs = {
        "promoters_completion_ratio": str(promoters_completion.ratio),
        "threshold": str(settings.promoter_penalty_threshold),
    }
    zero = Money.zero(settings.currency)
    if promoters_completion.exact is None:
        return Explained(zero, rule, "promoters have no target: no penalty", inputs)
    if promoters_completion.exact < Fraction(settings.promoter_penalty_threshold):
        amount = Money(-settings.supervisor_penalty, settings.currency)
        return Explained(
            amount,
            rule,
            f"promoters completed {promoters_completion.percent()}, under "
            f"{settings.promoter_penalty_threshold * 100:.0f}%: {amount}",
            inputs,
        )
    return Explained(
        zero, rule, f"promoters completed {promoters_completion.percent()}: no penalty", inputs
    )
