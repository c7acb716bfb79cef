"""Inventory settings (environment, read once at start; see docs/inventory.md for the table).

Every name is `STOREOPS_INVENTORY_<NAME>` (or `STOREOPS_<NAME>` for all services).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.common.config import Env, Settings, SettingsError
from services.inventory.domain.holds import HoldPolicy
from services.inventory.domain.photo_samples import SampleLoanPolicy
from services.inventory.domain.transfers import TransferPolicy

UNASSIGNED_BIN = "UNASSIGNED"
"""Bin of goods booked in but not put away yet (a lot row always has a bin)."""


@dataclass(frozen=True)
class InventorySettings:
    """What the inventory use cases need beyond the domain defaults."""

    # Seed 003 asks for supervisor + keeper signatures on the inbound document and QC's on the
    # inspection before booking. Off by default so the CONTRACT's three-call flow
    # (create → inspect → complete) works alone; missing signatures are shown on the receipt.
    enforce_receipt_signatures: bool = False
    # "Today" for daily rules (plans, loans, supplier-return clearing) is a business day.
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    # Created automatically when defectives are found and no DEFECTIVE warehouse exists.
    defective_warehouse_code: str = "DEFECTIVE"
    label_copies_per_unit: bool = True
    expiry_interval_seconds: float = 5.0
    expiry_batch_size: int = 100
    # Low stock is watched, not detected inside each reservation (the hot path stays one
    # statement): every this many seconds, SKUs newly below their reorder point get StockLow.
    low_stock_watch_seconds: float = 10.0
    # A refused reservation changes nothing (CONTRACT.md), the event feed included, unless on.
    publish_stock_short: bool = False
    transfers: TransferPolicy = field(default_factory=TransferPolicy)
    samples: SampleLoanPolicy = field(default_factory=SampleLoanPolicy)
    holds: HoldPolicy = field(default_factory=HoldPolicy)

    def business_date(self, now: datetime) -> date:
        """The business day `now` falls on (daily rules: plans, loans, supplier returns)."""
        return now.astimezone(self.timezone).date()


def load_inventory_settings(settings: Settings) -> InventorySettings:
    """Read the STOREOPS_INVENTORY_* options."""
    env = Env("inventory", settings.extra)
    zone_name = env.get("TIMEZONE", "Asia/Shanghai")
    try:
        zone = ZoneInfo(zone_name)
    except (KeyError, ValueError) as exc:
        raise SettingsError(
            f"STOREOPS_INVENTORY_TIMEZONE: unknown time zone {zone_name!r}"
        ) from exc
    transit = env.get("TRANSIT_WAREHOUSE_CODE", "TRANSIT")
    return InventorySettings(
        enforce_receipt_signatures=env.bool("ENFORCE_RECEIPT_SIGNATURES", False),
        timezone=zone,
        defective_warehouse_code=env.get("DEFECTIVE_WAREHOUSE_CODE", "DEFECTIVE"),
        label_copies_per_unit=env.bool("LABEL_COPIES_PER_UNIT", True),
        expiry_interval_seconds=env.float("EXPIRY_INTERVAL_SECONDS", 5.0),
        expiry_batch_size=env.int("EXPIRY_BATCH_SIZE", 100),
        low_stock_watch_seconds=env.float("LOW_STOCK_WATCH_SECONDS", 10.0),
        publish_stock_short=env.bool("PUBLISH_STOCK_SHORT", False),
        transfers=TransferPolicy(transit_warehouse_code=transit),
        samples=SampleLoanPolicy(
            sample_warehouse_code=env.get("SAMPLE_WAREHOUSE_CODE", "SAMPLES"),
            loan_days=env.int("SAMPLE_LOAN_DAYS", 7),
            extension_days=env.int("SAMPLE_EXTENSION_DAYS", 7),
            max_extensions=env.int("SAMPLE_MAX_EXTENSIONS", 1),
        ),
        holds=HoldPolicy(max_age=timedelta(days=env.int("HOLD_MAX_AGE_DAYS", 7))),
    )
