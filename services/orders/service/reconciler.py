"""The reconciler: finishes every inventory step left pending, with nobody acting.

Each round claims a small batch of orders whose step is due (`FOR UPDATE SKIP LOCKED` in one
statement that also moves their next attempt out by an exponential backoff, so the claim is a
lease and the row lock ends with the statement), then calls inventory for each and records the
answer exactly as a request would (`saga.run_step`). Several replicas can run it side by side:
SKIP LOCKED plus the lease keep them off each other's orders, and every step is idempotent anyway.
A RESERVE_PENDING step is due only after a grace period, so the request that created it gets to
finish it first. After-sales steps (booking returned goods, replacement stock) are finished the
same way (`after_sales.run_request_steps`).
"""

from __future__ import annotations

import asyncio
import logging

from services.orders.db.order_rows import Snapshot
from services.orders.service import saga
from services.orders.service.after_sales import run_request_steps
from services.orders.service.context import OrdersContext

log = logging.getLogger(__name__)


class Reconciler:
    """Background job (`Wiring.background`): `run` loops forever, `run_once` does one round."""

    def __init__(self, ctx: OrdersContext) -> None:
        self._ctx = ctx

    async def run(self) -> None:
        while True:
            try:
                worked = await self.run_once()
            except Exception:  # database down: try again next round
                log.exception("reconciler round failed")
                worked = 0
            if worked == 0:
                await asyncio.sleep(self._ctx.settings.reconcile_interval)

    async def run_once(self) -> int:
        """Finish the due steps of one batch; returns how many were tried."""
        ctx, settings = self._ctx, self._ctx.settings
        now = ctx.clock()
        async with ctx.db.statements() as store:
            order_ids = await store.claim_due(
                now, settings.reconcile_batch, settings.retry_base, settings.retry_max
            )
        async with ctx.db.after_sales_statements() as requests:
            request_ids = await requests.claim_due_steps(
                now, settings.reconcile_batch, settings.retry_base, settings.retry_max
            )
        await asyncio.gather(
            *(self._finish_order(order_id) for order_id in order_ids),
            *(self._finish_request(request_id) for request_id in request_ids),
        )
        return len(order_ids) + len(request_ids)

    async def _finish_order(self, order_id: str) -> None:
        try:
            async with self._ctx.db.statements() as store:
                order = await store.get(order_id)
            await saga.run_step(self._ctx, order, Snapshot.of(order))
        except Exception:
            log.exception("could not finish the inventory step of order %s", order_id)

    async def _finish_request(self, request_id: str) -> None:
        try:
            await run_request_steps(self._ctx, request_id)
        except Exception:
            log.exception("could not finish the inventory step of request %s", request_id)
