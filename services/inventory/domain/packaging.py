"""Packaging-material alerts (seed 003 篇3 2.3 发货部 3).

"对仓库打包耗材的统计,库存缺乏维持正常销售10天或有大型活动时需要进货时准时告知仓库主管" — tell the
warehouse supervisor when packing materials cannot support 10 days of normal shipping, or when a
big promotion needs a purchase.

Settings chosen (``PackagingPolicy``):
- ``min_cover_days = 10``; "cannot support 10 days" is strict: exactly 10.0 days raises nothing.
- ``usage_window_days = 30``: daily usage = units used over the last 30 days / 30. The caller
  passes usage of *normal* shipping (the seed's 正常销售), i.e. outside promotions.
- ``promotion_lead_days = 14``: a big promotion starting within 14 days (today included) raises
  an alert for every material. The seed's packers pre-pack 3 days before a promotion (篇3 4.1
  2.3); two weeks leaves time to buy materials before that. Demand during a promotion is not
  known here, so the supervisor reviews every material rather than the code guessing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from services.inventory.domain.validation import (
    validate_id,
    validate_non_negative_quantity,
    validate_positive_quantity,
)


@dataclass(frozen=True)
class PackagingPolicy:
    """Settings of the packaging alert; see the module docstring."""

    min_cover_days: int = 10
    usage_window_days: int = 30
    promotion_lead_days: int = 14

    def __post_init__(self) -> None:
        validate_positive_quantity(self.min_cover_days, "min_cover_days")
        validate_positive_quantity(self.usage_window_days, "usage_window_days")
        validate_non_negative_quantity(self.promotion_lead_days, "promotion_lead_days")


DEFAULT_PACKAGING_POLICY = PackagingPolicy()


class AlertReason(StrEnum):
    """Why a material is flagged."""

    LOW_COVER = "LOW_COVER"
    PROMOTION_AHEAD = "PROMOTION_AHEAD"


@dataclass(frozen=True)
class PackagingStock:
    """A packing material: units on hand and units used over the usage window."""

    material_code: str
    on_hand: int
    units_used: int


@dataclass(frozen=True)
class PackagingAlert:
    """A material the supervisor must look at, with every reason that applies."""

    material_code: str
    reasons: frozenset[AlertReason]
    cover_days: Fraction | None
    promotion_on: date | None


def packaging_alerts(
    materials: Iterable[PackagingStock],
    today: date,
    promotions: Sequence[date] = (),
    policy: PackagingPolicy = DEFAULT_PACKAGING_POLICY,
) -> tuple[PackagingAlert, ...]:
    """Alerts for `today`, sorted by material code; `promotions` are big-promotion start dates."""
    upcoming = sorted(d for d in promotions if 0 <= (d - today).days <= policy.promotion_lead_days)
    next_promotion = upcoming[0] if upcoming else None
    alerts = []
    for material in materials:
        validate_id(material.material_code, "material_code")
        validate_non_negative_quantity(material.on_hand, "on_hand")
        validate_non_negative_quantity(material.units_used, "units_used")
        usage = Fraction(material.units_used, policy.usage_window_days)
        cover = None if usage == 0 else material.on_hand / usage
        reasons = set()
        if cover is not None and cover < policy.min_cover_days:
            reasons.add(AlertReason.LOW_COVER)
        if next_promotion is not None:
            reasons.add(AlertReason.PROMOTION_AHEAD)
        if reasons:
            alerts.append(
                PackagingAlert(material.material_code, frozenset(reasons), cover, next_promotion)
            )
    return tuple(sorted(alerts, key=lambda a: a.material_code))
