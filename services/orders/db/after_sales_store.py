"""After-sales requests and refunds: rows ↔ domain objects, plus the requests' inventory steps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.errors import NotFound
from services.orders.db import tables as t
from services.orders.db.json_codec import (
    dispositions_from_json,
    dispositions_to_json,
    history_from_json,
    history_to_json,
    pairs_from_json,
    pairs_to_json,
    refund_from_row,
    refund_lines_to_json,
    replacement_from_json,
    replacement_to_json,
)
from services.orders.domain.after_sales import AfterSalesRequest, AfterSalesStatus, QcVerdict
from services.orders.domain.after_sales_rules import AfterSalesKind, ReturnReason
from services.orders.domain.refunds import Refund

R = t.after_sales_requests


@dataclass
class RequestSteps:
    """What a request still owes inventory (kept next to the request, not in the domain)."""

    stock_return_step: str = ""
    replacement_step: str = ""
    replacement_intent: dict[str, Any] | None = None


@dataclass
class LoadedRequest:
    """A request with its inventory steps and the version it was loaded with."""

    request: AfterSalesRequest
    steps: RequestSteps
    version: int


def _request_from_row(row: Any, refund: Refund | None) -> LoadedRequest:
    request = AfterSalesRequest(
        request_id=row.request_id,
        order_id=row.order_id,
        kind=AfterSalesKind(row.kind),
        reason=ReturnReason(row.reason),
        requested=pairs_from_json(row.requested),
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        description=row.description,
        status=AfterSalesStatus(row.status),
        received=pairs_from_json(row.received),
        received_by=row.received_by,
        verdict=QcVerdict(row.verdict) if row.verdict else None,
        dispositions=dispositions_from_json(row.dispositions),
        inspected_by=row.inspected_by,
        approved_by=row.approved_by,
        refund=refund,
        replacement=replacement_from_json(row.replacement),
        rejection_reason=row.rejection_reason,
        handled_by=row.handled_by,
        goods_booked_at=row.goods_booked_at,
        history=history_from_json(row.history, AfterSalesStatus),
        version=int(row.version),
    )
    steps = RequestSteps(row.stock_return_step, row.replacement_step, row.replacement_intent)
    return LoadedRequest(request, steps, int(row.version))


def _columns(request: AfterSalesRequest, steps: RequestSteps, now: datetime) -> dict[str, Any]:
    return {
        "status": request.status.value,
        "received": pairs_to_json(request.received),
        "received_by": request.received_by,
        "verdict": request.verdict.value if request.verdict else None,
        "dispositions": dispositions_to_json(request.dispositions),
        "inspected_by": request.inspected_by,
        "approved_by": request.approved_by,
        "refund_id": request.refund.refund_id if request.refund else None,
        "replacement": replacement_to_json(request.replacement),
        "rejection_reason": request.rejection_reason,
        "handled_by": request.handled_by,
        "goods_booked_at": request.goods_booked_at,
        "stock_return_step": steps.stock_return_step,
        "replacement_step": steps.replacement_step,
        "replacement_intent": steps.replacement_intent,
        "history": history_to_json(request.history),
        "version": request.version,
        "updated_at": now,
    }


class AfterSalesStore:
    """After-sales requests and refunds on one connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def get(self, request_id: str, *, for_update: bool = False) -> LoadedRequest:
        statement = sa.select(R).where(R.c.request_id == request_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._c.execute(statement)).first()
        if row is None:
            raise NotFound(
                f"after-sales request {request_id} does not exist",
                reason="AFTER_SALES_NOT_FOUND",
            )
        refund = await self.refund(row.refund_id) if row.refund_id else None
        return _request_from_row(row, refund)

    async def for_order(self, order_id: str) -> list[AfterSalesRequest]:
        rows = await self._c.execute(
            sa.select(R).where(R.c.order_id == order_id).order_by(R.c.opened_at)
        )
        return [_request_from_row(row, None).request for row in rows]

    async def insert(self, request: AfterSalesRequest, now: datetime) -> None:
        await self._c.execute(
            R.insert().values(
                request_id=request.request_id,
                order_id=request.order_id,
                kind=request.kind.value,
                reason=request.reason.value,
                requested=pairs_to_json(request.requested),
                description=request.description,
                opened_at=request.opened_at,
                opened_by=request.opened_by,
                **_columns(request, RequestSteps(), now),
            )
        )

    async def update(
        self,
        loaded: LoadedRequest,
        now: datetime,
        *,
        step_due_at: datetime | None = None,
    ) -> bool:
        """Write the request if it still has the loaded version; `step_due_at` schedules a step."""
        values = _columns(loaded.request, loaded.steps, now)
        if step_due_at is not None:
            values["step_next_attempt_at"] = step_due_at
            values["step_attempts"] = 0
        result = await self._c.execute(
            R.update()
            .where(R.c.request_id == loaded.request.request_id, R.c.version == loaded.version)
            .values(**values)
            .returning(R.c.request_id)
        )
        return result.first() is not None

    async def page(
        self,
        *,
        order_id: str | None,
        status: str | None,
        handled_by: str | None,
        before: tuple[datetime, str] | None,
        limit: int,
    ) -> list[LoadedRequest]:
        statement = sa.select(R).order_by(R.c.opened_at.desc(), R.c.request_id.desc()).limit(limit)
        if order_id:
            statement = statement.where(R.c.order_id == order_id)
        if status:
            statement = statement.where(R.c.status == status)
        if handled_by:
            statement = statement.where(R.c.handled_by == handled_by)
        if before is not None:
            statement = statement.where(sa.tuple_(R.c.opened_at, R.c.request_id) < before)
        rows = list(await self._c.execute(statement))
        refunds = await self.refunds_by_id([r.refund_id for r in rows if r.refund_id])
        return [_request_from_row(row, refunds.get(row.refund_id)) for row in rows]

    async def claim_due_steps(
        self, now: datetime, batch: int, retry_base: float, retry_max: float
    ) -> list[str]:
        """Requests whose inventory step is due, leased until their next backoff time."""
        result = await self._c.execute(
            sa.text(
                """
WITH due AS (
  SELECT request_id FROM after_sales_requests
  WHERE (stock_return_step = 'RETURN_PENDING'
         OR replacement_step IN ('RESERVE_PENDING', 'COMMIT_PENDING'))
    AND step_next_attempt_at <= :now
  ORDER BY step_next_attempt_at LIMIT :batch FOR UPDATE SKIP LOCKED)
UPDATE after_sales_requests r SET
  step_attempts = r.step_attempts + 1,
  step_next_attempt_at = CAST(:now AS timestamptz) + make_interval(secs => least(
      CAST(:retry_max AS double precision),
      CAST(:retry_base AS double precision) * power(2, least(r.step_attempts, 16))))
FROM due WHERE r.request_id = due.request_id
RETURNING r.request_id
"""
            ),
            {"now": now, "batch": batch, "retry_base": retry_base, "retry_max": retry_max},
        )
        return [row.request_id for row in result]

    # ------------------------------------------------------------------ refunds
    async def refund(self, refund_id: str) -> Refund | None:
        row = (
            await self._c.execute(sa.select(t.refunds).where(t.refunds.c.refund_id == refund_id))
        ).first()
        return None if row is None else refund_from_row(row)

    async def refunds_by_id(self, refund_ids: Sequence[str]) -> dict[str, Refund]:
        if not refund_ids:
            return {}
        rows = await self._c.execute(
            sa.select(t.refunds).where(t.refunds.c.refund_id.in_(list(refund_ids)))
        )
        return {row.refund_id: refund_from_row(row) for row in rows}

    async def refunds_of(self, order_id: str) -> list[Refund]:
        rows = await self._c.execute(
            sa.select(t.refunds)
            .where(t.refunds.c.order_id == order_id)
            .order_by(t.refunds.c.refunded_at, t.refunds.c.refund_id)
        )
        return [refund_from_row(row) for row in rows]

    async def refund_handlers(self, refund_ids: Sequence[str]) -> dict[str, str | None]:
        if not refund_ids:
            return {}
        rows = await self._c.execute(
            sa.select(t.refunds.c.refund_id, t.refunds.c.handled_by).where(
                t.refunds.c.refund_id.in_(list(refund_ids))
            )
        )
        return {row.refund_id: row.handled_by for row in rows}

    async def insert_refund(self, refund: Refund, handled_by: str | None) -> bool:
        """Store a refund; False if its id is taken (the caller compares the stored one)."""
        result = await self._c.execute(
            insert(t.refunds)
            .values(
                refund_id=refund.refund_id,
                order_id=refund.order_id,
                lines=refund_lines_to_json(refund),
                currency_code=refund.total.currency,
                total_minor=refund.total.amount_minor,
                reason=refund.reason,
                refunded_at=refund.refunded_at,
                refunded_by=refund.refunded_by,
                source=refund.source,
                handled_by=handled_by,
            )
            .on_conflict_do_nothing(index_elements=[t.refunds.c.refund_id])
            .returning(t.refunds.c.refund_id)
        )
        return result.first() is not None
