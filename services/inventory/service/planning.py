"""Replenishment plans (daily, from sales velocity and stock) and packaging-material alerts.

Velocity comes from committed issues in the ledger (ISSUE entries) over the policy's window,
ending at the start of the plan day; stock is the SKU's available units plus the units
delivered but not booked yet (receipts still in QC), so a delivery in QC is not ordered twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from storeops.inventory.v1 import events_pb2 as ev

from services.common.errors import FailedPrecondition, NotFound
from services.common.proto_convert import parse_date
from services.inventory.db.planning import NOTHING_TO_ORDER, LineContext, StoredPlan
from services.inventory.db.unit_of_work import InventoryDatabase, InventoryUnitOfWork
from services.inventory.domain.packaging import (
    DEFAULT_PACKAGING_POLICY,
    PackagingAlert,
    PackagingPolicy,
    PackagingStock,
    packaging_alerts,
)
from services.inventory.domain.replenishment import (
    DEFAULT_REPLENISHMENT_POLICY,
    ReplenishmentPlan,
    ReplenishmentPolicy,
    SkuDemand,
    StockLimits,
    plan_replenishment,
)
from services.inventory.domain.roles import Role
from services.inventory.service import paging
from services.inventory.service.caller import Caller
from services.inventory.service.catalogue import Page
from services.inventory.settings import InventorySettings

# Holding the approve permission is what makes a caller a plan approver (the people service
# grants it to the GM office, purchasing and the operations manager): the domain rule is told so.
APPROVER_ROLES_BY_PERMISSION = frozenset({Role.GM_OFFICE})


def plan_id_for(day: date) -> str:
    """One plan per day: RP-YYYYMMDD."""
    return f"RP-{day:%Y%m%d}"


async def generate_plan(
    db: InventoryDatabase,
    plan_date: date | None,
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
    policy: ReplenishmentPolicy = DEFAULT_REPLENISHMENT_POLICY,
) -> StoredPlan:
    """The day's plan; generating again returns the stored one (idempotent per day)."""
    day = plan_date or settings.business_date(now)
    plan_id = plan_id_for(day)
    day_start = datetime.combine(day, time(0), tzinfo=settings.timezone)
    async with db.unit_of_work() as uow:
        existing = await uow.plans.get(plan_id)
        if existing is not None:
            return existing
        shipped = await uow.ledger.units_issued_since(
            day_start - timedelta(days=policy.velocity_window_days), day_start
        )
        on_order = await uow.receipts.units_awaiting_booking()
        demands: list[SkuDemand] = []
        context: dict[str, LineContext] = {}
        for row in await uow.plans.stock_positions():
            if row.packaging_material:
                continue
            available = max(0, int(row.available))
            demands.append(
                SkuDemand(
                    sku_code=row.sku_code,
                    key_product=row.key_product,
                    units_shipped=shipped.get(row.sku_code, 0),
                    available=available,
                    on_order=on_order.get(row.sku_code, 0),
                    limits=StockLimits(row.safety_stock, row.reorder_point, row.max_stock),
                )
            )
            context[row.sku_code] = LineContext(
                row.key_product, available, on_order.get(row.sku_code, 0)
            )
        lines = plan_replenishment(demands, policy)
        plan = ReplenishmentPlan.propose(plan_id, day, lines) if lines else None
        stored = StoredPlan(
            plan_id=plan_id,
            plan_date=day,
            status=str(plan.status) if plan else NOTHING_TO_ORDER,
            plan=plan,
            context={line.sku_code: context[line.sku_code] for line in lines},
            created_by=caller.actor,
            created_at=now,
        )
        if not await uow.plans.add(stored):
            raced = await uow.plans.get(plan_id)
            assert raced is not None
            return raced
        await uow.commit()
    return stored


async def decide_plan(
    db: InventoryDatabase,
    plan_id: str,
    caller: Caller,
    now: datetime,
    *,
    approve: bool,
    reason: str = "",
) -> StoredPlan:
    """Approve (ReplenishmentApproved event for purchasing) or reject with a reason."""
    roles = caller.roles | APPROVER_ROLES_BY_PERMISSION
    async with db.unit_of_work() as uow:
        stored = await _locked(uow, plan_id)
        if stored.plan is None:
            raise FailedPrecondition(
                f"plan {plan_id} has nothing to order; there is nothing to decide",
                reason="NOTHING_TO_ORDER",
            )
        before = stored.plan
        decided = (
            before.approve(caller.actor, roles, now)
            if approve
            else before.reject(caller.actor, roles, now, reason)
        )
        if decided is not before:
            await uow.plans.save_decision(decided)
            if approve:
                uow.publish(
                    plan_id,
                    ev.ReplenishmentApproved(
                        plan_id=plan_id,
                        plan_date=decided.plan_date.isoformat(),
                        lines=[
                            ev.ReplenishmentApproved.Line(
                                sku_code=line.sku_code, quantity=line.quantity
                            )
                            for line in decided.lines
                        ],
                        approved_by=caller.actor,
                    ),
                )
            await uow.commit()
    return StoredPlan(
        stored.plan_id,
        stored.plan_date,
        str(decided.status),
        decided,
        stored.context,
        stored.created_by,
        stored.created_at,
    )


async def get_plan(db: InventoryDatabase, plan_id: str) -> StoredPlan:
    async with db.unit_of_work() as uow:
        return await _locked(uow, plan_id, lock=False)


async def list_plans(
    db: InventoryDatabase, status: str, page_size: int, page_token: str
) -> Page[StoredPlan]:
    limit = paging.page_size(page_size)
    after = paging.after_key(page_token)
    async with db.unit_of_work() as uow:
        rows = await uow.plans.find(
            status=status,
            before=None if after is None else parse_date(after, "page_token"),
            limit=limit,
        )
    last = {"k": rows[-1].plan_date.isoformat()} if rows else None
    return Page(rows, paging.next_token(rows, limit, last))


@dataclass(frozen=True)
class MaterialAlert:
    """A packaging alert and the material's units on hand."""

    alert: PackagingAlert
    on_hand: int


async def list_packaging_alerts(
    db: InventoryDatabase,
    promotions: list[date],
    now: datetime,
    settings: InventorySettings,
    policy: PackagingPolicy = DEFAULT_PACKAGING_POLICY,
) -> tuple[date, list[MaterialAlert]]:
    """Materials covering fewer than 10 days of normal use (usage = issues over 30 days)."""
    today = settings.business_date(now)
    day_start = datetime.combine(today, time(0), tzinfo=settings.timezone)
    async with db.unit_of_work() as uow:
        used = await uow.ledger.units_issued_since(
            day_start - timedelta(days=policy.usage_window_days), day_start
        )
        materials = [row for row in await uow.plans.stock_positions() if row.packaging_material]
    on_hand = {row.sku_code: int(row.on_hand) for row in materials}
    stock = [
        PackagingStock(row.sku_code, on_hand[row.sku_code], used.get(row.sku_code, 0))
        for row in materials
    ]
    alerts = packaging_alerts(stock, today, promotions, policy)
    return today, [MaterialAlert(a, on_hand[a.material_code]) for a in alerts]


async def _locked(uow: InventoryUnitOfWork, plan_id: str, lock: bool = True) -> StoredPlan:
    stored = await uow.plans.get(plan_id, lock=lock)
    if stored is None:
        raise NotFound(f"replenishment plan {plan_id} does not exist", reason="PLAN_NOT_FOUND")
    return stored
