"""Orders settings, read once at start from `STOREOPS_ORDERS_<NAME>` (or `STOREOPS_<NAME>`).

Defaults are the seed's rules (waves, review batch size) and timings chosen so that a pending
inventory step is finished within seconds of inventory coming back, without hammering it while it
is down (exponential backoff, capped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from services.common.config import Settings, SettingsError
from services.orders.domain.after_sales_rules import AfterSalesPolicy
from services.orders.domain.backorder import BackorderMode, BackorderPolicy
from services.orders.domain.intake import Channel
from services.orders.domain.review_batch import ReviewBatchPolicy
from services.orders.domain.shipping import ShippingPolicy
from services.orders.domain.waves import DEFAULT_CUTOFFS, DEFAULT_TIMEZONE, WavePolicy


@dataclass(frozen=True)
class OrdersSettings:
    """Every orders-specific setting (names in docs/orders.md)."""

    # Saga and reconciler.
    inventory_timeout: float = 5.0
    reconcile_interval: float = 1.0
    reconcile_batch: int = 20
    reserve_grace: float = 5.0
    retry_base: float = 1.0
    retry_max: float = 30.0
    late_reserve_window: float = 30.0
    # Backorders.
    backorder_poll: float = 1.0
    backorder_sweep: float = 30.0
    backorder_batch: int = 200
    backorder: BackorderPolicy = field(default_factory=BackorderPolicy)
    feed_page_size: int = 200
    feed_idle: float = 1.0
    # Business rules.
    waves: WavePolicy = field(default_factory=WavePolicy)
    shipping: ShippingPolicy = field(default_factory=ShippingPolicy)
    review: ReviewBatchPolicy = field(default_factory=ReviewBatchPolicy)
    after_sales: AfterSalesPolicy = field(default_factory=AfterSalesPolicy)
    return_warehouse: str = ""

    @property
    def late_reserve(self) -> timedelta:
        return timedelta(seconds=self.late_reserve_window)

    def backoff(self, attempts: int) -> float:
        """Seconds before retry number `attempts + 1` of a pending step."""
        return float(min(self.retry_max, self.retry_base * 2 ** min(attempts, 16)))


def _times(text: str, name: str) -> tuple[time, ...]:
    try:
        return tuple(time.fromisoformat(part.strip()) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise SettingsError(f"{name}: {text!r} is not a list of HH:MM times") from exc


def _weekdays(text: str, name: str) -> frozenset[int]:
    days: set[int] = set()
    for raw in text.split(","):
        part = raw.strip()
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            days.update(range(int(low), int(high or low) + 1))
        except ValueError as exc:
            raise SettingsError(f"{name}: {text!r} is not like 0-4 or 0,1,2") from exc
    return frozenset(days)


def _dates(text: str, name: str) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(p.strip()) for p in text.split(",") if p.strip())
    except ValueError as exc:
        raise SettingsError(f"{name}: {text!r} is not a list of YYYY-MM-DD dates") from exc


def _bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def load_orders_settings(settings: Settings) -> OrdersSettings:
    """Read the orders settings; a malformed value raises SettingsError naming the variable."""

    def num(name: str, default: float) -> float:
        raw = settings.option(name, str(default))
        try:
            return float(raw)
        except ValueError as exc:
            raise SettingsError(f"STOREOPS_ORDERS_{name}: {raw!r} is not a number") from exc

    waves = WavePolicy(
        cutoffs=_times(
            settings.option("WAVE_CUTOFFS", ",".join(t.strftime("%H:%M") for t in DEFAULT_CUTOFFS)),
            "STOREOPS_ORDERS_WAVE_CUTOFFS",
        ),
        same_day_cutoff=_times(
            settings.option("SAME_DAY_CUTOFF", "17:00"), "STOREOPS_ORDERS_SAME_DAY_CUTOFF"
        )[0],
        timezone=ZoneInfo(settings.option("WAREHOUSE_TIMEZONE", DEFAULT_TIMEZONE)),
        working_days=_weekdays(
            settings.option("WORKING_DAYS", "0-6"), "STOREOPS_ORDERS_WORKING_DAYS"
        ),
        non_working_dates=_dates(settings.option("HOLIDAYS", ""), "STOREOPS_ORDERS_HOLIDAYS"),
        lead_time=timedelta(minutes=num("WAVE_LEAD_MINUTES", 0)),
    )
    shipping = ShippingPolicy(
        max_weight_grams=int(num("MAX_PARCEL_GRAMS", 50_000)),
        require_weight=_bool(settings.option("SHIP_REQUIRES_WEIGHT", "true")),
        require_paid=_bool(settings.option("SHIP_REQUIRES_PAYMENT", "true")),
    )
    mode = settings.option("BACKORDER_MODE", BackorderMode.SKIP_AND_CONTINUE.value).upper()
    try:
        backorder = BackorderPolicy(BackorderMode(mode))
    except ValueError as exc:
        raise SettingsError(f"STOREOPS_ORDERS_BACKORDER_MODE: unknown mode {mode!r}") from exc
    no_reason = {
        channel: int(num(f"NO_REASON_DAYS_{channel.value}", 30 if channel is Channel.AMAZON else 7))
        for channel in Channel
    }
    return OrdersSettings(
        inventory_timeout=num("INVENTORY_TIMEOUT_SECONDS", settings.call_timeout_seconds),
        reconcile_interval=num("RECONCILE_INTERVAL_SECONDS", 1.0),
        reconcile_batch=int(num("RECONCILE_BATCH", 20)),
        reserve_grace=num("RESERVE_GRACE_SECONDS", 5.0),
        retry_base=num("RETRY_BASE_SECONDS", 1.0),
        retry_max=num("RETRY_MAX_SECONDS", 30.0),
        late_reserve_window=num("LATE_RESERVE_WINDOW_SECONDS", 30.0),
        backorder_poll=num("BACKORDER_POLL_SECONDS", 1.0),
        backorder_sweep=num("BACKORDER_SWEEP_SECONDS", 30.0),
        backorder_batch=int(num("BACKORDER_BATCH", 200)),
        backorder=backorder,
        feed_page_size=int(num("FEED_PAGE_SIZE", 200)),
        feed_idle=num("FEED_IDLE_SECONDS", 1.0),
        waves=waves,
        shipping=shipping,
        review=ReviewBatchPolicy(max_orders=int(num("REVIEW_BATCH_MAX", 200))),
        after_sales=AfterSalesPolicy(
            no_reason_days=no_reason,
            require_separate_approver=_bool(settings.option("SEPARATE_APPROVER", "true")),
        ),
        return_warehouse=settings.option("RETURN_WAREHOUSE", ""),
    )
