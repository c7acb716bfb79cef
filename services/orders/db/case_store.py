"""Logistics exceptions, complaints, ratings, invoices and review batches: rows ↔ domain objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.errors import NotFound
from services.common.money import Money
from services.orders.db import tables as t
from services.orders.db.json_codec import history_from_json, history_to_json
from services.orders.domain.complaints import Complaint, ComplaintKind, ComplaintStatus
from services.orders.domain.customer_reviews import CustomerReview
from services.orders.domain.invoice import InvoiceRequest
from services.orders.domain.logistics import (
    ExceptionKind,
    ExceptionStatus,
    LogisticsException,
    Resolution,
)
from services.orders.domain.review_batch import (
    ReviewBatchResult,
    ReviewDecision,
    ReviewFinding,
    ReviewOutcome,
)

X, C = t.logistics_exceptions, t.complaints


def _exception_from_row(row: Any) -> LogisticsException:
    return LogisticsException(
        exception_id=row.exception_id,
        order_id=row.order_id,
        kind=ExceptionKind(row.kind),
        tracking_number=row.tracking_number,
        description=row.description,
        opened_at=row.opened_at,
        status=ExceptionStatus(row.status),
        customer_notified_at=row.customer_notified_at,
        resolution=Resolution(row.resolution) if row.resolution else None,
        resolution_note=row.resolution_note,
        resolved_at=row.resolved_at,
        handled_by=row.handled_by,
        history=history_from_json(row.history, ExceptionStatus),
        version=int(row.version),
    )


def _complaint_from_row(row: Any) -> Complaint:
    return Complaint(
        complaint_id=row.complaint_id,
        kind=ComplaintKind(row.kind),
        description=row.description,
        opened_at=row.opened_at,
        order_id=row.order_id,
        status=ComplaintStatus(row.status),
        resolution=row.resolution,
        ended_at=row.ended_at,
        handled_by=row.handled_by,
        history=history_from_json(row.history, ComplaintStatus),
        version=int(row.version),
    )


class CaseStore:
    """The smaller aggregates of the orders database on one connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    # ------------------------------------------------------------------ logistics exceptions
    async def exception(self, exception_id: str, *, for_update: bool = False) -> LogisticsException:
        statement = sa.select(X).where(X.c.exception_id == exception_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._c.execute(statement)).first()
        if row is None:
            raise NotFound(
                f"logistics exception {exception_id} does not exist",
                reason="EXCEPTION_NOT_FOUND",
            )
        return _exception_from_row(row)

    async def insert_exception(self, case: LogisticsException) -> bool:
        result = await self._c.execute(
            insert(X)
            .values(
                exception_id=case.exception_id,
                order_id=case.order_id,
                kind=case.kind.value,
                tracking_number=case.tracking_number,
                description=case.description,
                opened_at=case.opened_at,
                **self._exception_columns(case),
            )
            .on_conflict_do_nothing(index_elements=[X.c.exception_id])
            .returning(X.c.exception_id)
        )
        return result.first() is not None

    @staticmethod
    def _exception_columns(case: LogisticsException) -> dict[str, Any]:
        return {
            "status": case.status.value,
            "customer_notified_at": case.customer_notified_at,
            "resolution": case.resolution.value if case.resolution else None,
            "resolution_note": case.resolution_note,
            "resolved_at": case.resolved_at,
            "handled_by": case.handled_by,
            "history": history_to_json(case.history),
            "version": case.version,
        }

    async def update_exception(self, case: LogisticsException) -> None:
        await self._c.execute(
            X.update()
            .where(X.c.exception_id == case.exception_id)
            .values(**self._exception_columns(case))
        )

    async def exceptions(
        self,
        *,
        order_id: str | None,
        status: str | None,
        before: tuple[datetime, str] | None,
        limit: int,
    ) -> list[LogisticsException]:
        statement = sa.select(X).order_by(X.c.opened_at.desc(), X.c.exception_id.desc())
        if order_id:
            statement = statement.where(X.c.order_id == order_id)
        if status:
            statement = statement.where(X.c.status == status)
        if before is not None:
            statement = statement.where(sa.tuple_(X.c.opened_at, X.c.exception_id) < before)
        rows = await self._c.execute(statement.limit(limit))
        return [_exception_from_row(row) for row in rows]

    # ------------------------------------------------------------------ complaints
    async def complaint(self, complaint_id: str, *, for_update: bool = False) -> Complaint:
        statement = sa.select(C).where(C.c.complaint_id == complaint_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._c.execute(statement)).first()
        if row is None:
            raise NotFound(f"complaint {complaint_id} does not exist", reason="COMPLAINT_NOT_FOUND")
        return _complaint_from_row(row)

    @staticmethod
    def _complaint_columns(case: Complaint) -> dict[str, Any]:
        return {
            "status": case.status.value,
            "resolution": case.resolution,
            "ended_at": case.ended_at,
            "handled_by": case.handled_by,
            "history": history_to_json(case.history),
            "version": case.version,
        }

    async def insert_complaint(self, case: Complaint) -> bool:
        result = await self._c.execute(
            insert(C)
            .values(
                complaint_id=case.complaint_id,
                kind=case.kind.value,
                description=case.description,
                order_id=case.order_id,
                opened_at=case.opened_at,
                **self._complaint_columns(case),
            )
            .on_conflict_do_nothing(index_elements=[C.c.complaint_id])
            .returning(C.c.complaint_id)
        )
        return result.first() is not None

    async def update_complaint(self, case: Complaint) -> None:
        await self._c.execute(
            C.update()
            .where(C.c.complaint_id == case.complaint_id)
            .values(**self._complaint_columns(case))
        )

    async def complaints(
        self,
        *,
        order_id: str | None,
        status: str | None,
        handled_by: str | None,
        before: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Complaint]:
        statement = sa.select(C).order_by(C.c.opened_at.desc(), C.c.complaint_id.desc())
        if order_id:
            statement = statement.where(C.c.order_id == order_id)
        if status:
            statement = statement.where(C.c.status == status)
        if handled_by:
            statement = statement.where(C.c.handled_by == handled_by)
        if before is not None:
            statement = statement.where(sa.tuple_(C.c.opened_at, C.c.complaint_id) < before)
        rows = await self._c.execute(statement.limit(limit))
        return [_complaint_from_row(row) for row in rows]

    # ------------------------------------------------------------------ ratings
    async def rating(self, order_id: str) -> CustomerReview | None:
        row = (
            await self._c.execute(
                sa.select(t.order_ratings).where(t.order_ratings.c.order_id == order_id)
            )
        ).first()
        if row is None:
            return None
        return CustomerReview(row.order_id, int(row.rating), row.comment, row.rated_at)

    async def insert_rating(self, review: CustomerReview) -> bool:
        result = await self._c.execute(
            insert(t.order_ratings)
            .values(
                order_id=review.order_id,
                rating=review.rating,
                comment=review.comment,
                rated_at=review.reviewed_at,
            )
            .on_conflict_do_nothing(index_elements=[t.order_ratings.c.order_id])
            .returning(t.order_ratings.c.order_id)
        )
        return result.first() is not None

    # ------------------------------------------------------------------ invoices
    async def invoice(self, invoice_id: str) -> InvoiceRequest | None:
        row = (
            await self._c.execute(
                sa.select(t.invoices).where(t.invoices.c.invoice_id == invoice_id)
            )
        ).first()
        return None if row is None else self._invoice_from_row(row)

    @staticmethod
    def _invoice_from_row(row: Any) -> InvoiceRequest:
        return InvoiceRequest(
            row.order_id,
            row.title,
            row.tax_id,
            Money(int(row.amount_minor), row.currency_code),
            row.requested_at,
            row.requested_by,
        )

    async def insert_invoice(self, invoice_id: str, invoice: InvoiceRequest) -> bool:
        result = await self._c.execute(
            insert(t.invoices)
            .values(
                invoice_id=invoice_id,
                order_id=invoice.order_id,
                title=invoice.title,
                tax_id=invoice.tax_id,
                currency_code=invoice.amount.currency,
                amount_minor=invoice.amount.amount_minor,
                requested_at=invoice.requested_at,
                requested_by=invoice.requested_by,
            )
            .on_conflict_do_nothing(index_elements=[t.invoices.c.invoice_id])
            .returning(t.invoices.c.invoice_id)
        )
        return result.first() is not None

    async def invoices_of(self, order_id: str) -> list[tuple[str, InvoiceRequest]]:
        rows = await self._c.execute(
            sa.select(t.invoices)
            .where(t.invoices.c.order_id == order_id)
            .order_by(t.invoices.c.requested_at, t.invoices.c.invoice_id)
        )
        return [(row.invoice_id, self._invoice_from_row(row)) for row in rows]

    # ------------------------------------------------------------------ review batches
    async def review_batch(
        self, batch_id: str
    ) -> tuple[tuple[str, ...], ReviewBatchResult, str, datetime] | None:
        """(order ids, decisions, created_by, created_at) of a stored batch."""
        row = (
            await self._c.execute(
                sa.select(t.review_batches).where(t.review_batches.c.batch_id == batch_id)
            )
        ).first()
        if row is None:
            return None
        decisions = tuple(
            ReviewDecision(
                d["order_id"],
                ReviewOutcome(d["outcome"]),
                tuple(ReviewFinding(f) for f in d["findings"]),
            )
            for d in row.decisions
        )
        return tuple(row.order_ids), ReviewBatchResult(decisions), row.created_by, row.created_at

    async def insert_review_batch(
        self,
        batch_id: str,
        order_ids: list[str],
        result: ReviewBatchResult,
        created_by: str,
        created_at: datetime,
    ) -> bool:
        statement = (
            insert(t.review_batches)
            .values(
                batch_id=batch_id,
                order_ids=order_ids,
                decisions=[
                    {
                        "order_id": d.order_id,
                        "outcome": d.outcome.value,
                        "findings": [f.value for f in d.findings],
                    }
                    for d in result.decisions
                ],
                created_by=created_by,
                created_at=created_at,
            )
            .on_conflict_do_nothing(index_elements=[t.review_batches.c.batch_id])
            .returning(t.review_batches.c.batch_id)
        )
        return (await self._c.execute(statement)).first() is not None
