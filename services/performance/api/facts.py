"""FactRpcs: Feed positions, replay, the audit log, employees and sales as ingested."""

from __future__ import annotations

from storeops.performance.v1 import audit_pb2 as au
from storeops.performance.v1 import facts_pb2 as fa
from storeops.performance.v1 import performance_service_pb2 as pb

from services.common.audit import AuditQuery
from services.common.money import Money
from services.common.paging import composite_key, decode_token, encode_token, page_size
from services.common.proto_convert import to_money, to_timestamp
from services.performance.api import convert as c
from services.performance.api.base import Base, Ctx
from services.performance.service import (
    facts,
)


class FactRpcs(Base):
    async def ListFeedPositions(
        self, request: pb.ListFeedPositionsRequest, context: Ctx
    ) -> pb.ListFeedPositionsResponse:
        return pb.ListFeedPositionsResponse(
            positions=[
                pb.FeedPosition(
                    feed=p.feed,
                    cursor=p.cursor,
                    events_applied=p.events_applied,
                    events_rejected=p.events_rejected,
                    events_ignored=p.events_ignored,
                )
                for p in await facts.positions(self._deps)
            ]
        )

    async def ReplayFeeds(
        self, request: pb.ReplayFeedsRequest, context: Ctx
    ) -> pb.ReplayFeedsResponse:
        deleted = await facts.replay(self._deps)
        return pb.ReplayFeedsResponse(
            facts_deleted=deleted,
            positions=[
                pb.FeedPosition(
                    feed=p.feed,
                    cursor=p.cursor,
                    events_applied=p.events_applied,
                    events_rejected=p.events_rejected,
                    events_ignored=p.events_ignored,
                )
                for p in await facts.positions(self._deps)
            ],
        )

    async def ListAuditEntries(
        self, request: au.ListAuditEntriesRequest, context: Ctx
    ) -> au.ListAuditEntriesResponse:
        position = decode_token(request.page_token, {"before": int})
        size = page_size(request.page_size, default=100, maximum=1000)
        rows = await facts.audit_entries(
            self._deps,
            AuditQuery(
                actor=request.actor, subject=request.subject, action_prefix=request.action_prefix
            ),
            int(position["before"]) if position else None,
            size,
        )
        return au.ListAuditEntriesResponse(
            entries=[
                au.AuditEntry(
                    id=r.id,
                    occur_time=to_timestamp(r.occurred_at),
                    actor=r.entry.actor,
                    actor_kind=r.entry.actor_kind,
                    action=r.entry.action,
                    resource=r.entry.resource,
                    subject=r.entry.subject or "",
                    category=r.entry.category or "",
                    basis=r.entry.basis or "",
                    allowed=r.entry.allowed,
                    details=dict(r.entry.details),
                    request_id=r.entry.request_id,
                )
                for r in rows
            ],
            next_page_token=encode_token({"before": rows[-1].id}) if len(rows) == size else "",
        )

    async def ListEmployeeFacts(
        self, request: fa.ListEmployeeFactsRequest, context: Ctx
    ) -> fa.ListEmployeeFactsResponse:
        position = decode_token(request.page_token, {"after": str})
        size = page_size(request.page_size)
        rows = await facts.employees(self._deps, position["after"] if position else None, size)
        return fa.ListEmployeeFactsResponse(
            employees=[
                fa.EmployeeFact(
                    employee_code=r.record.code,
                    name=r.record.name,
                    department_code=r.record.department_code,
                    position_code=r.record.position_code,
                    role=c.role_out(r.assignment.role if r.assignment else None),
                    commission_group=(
                        r.assignment.group.value if r.assignment and r.assignment.group else ""
                    ),
                    supervisor_code=r.record.supervisor_code or "",
                    hire_date=str(r.record.hire_date),
                    leave_date=c.text(r.record.leave_date),
                )
                for r in rows
            ],
            next_page_token=encode_token({"after": rows[-1].record.code})
            if len(rows) == size
            else "",
        )

    async def ListSalesFacts(
        self, request: fa.ListSalesFactsRequest, context: Ctx
    ) -> fa.ListSalesFactsResponse:
        position = decode_token(request.page_token, {"after": list})
        size = page_size(request.page_size, default=100, maximum=1000)
        after = composite_key(position, "after", str, str, str)
        rows, groups = await facts.daily_sales(
            self._deps, c.month(request.month), request.employee_code or None, after, size
        )
        return fa.ListSalesFactsResponse(
            sales=[
                fa.DailySales(
                    day=str(r.day),
                    employee_code=r.employee_code,
                    commission_group=groups.get(r.employee_code, ""),
                    shop=r.shop,
                    orders=r.orders,
                    ordered=to_money(Money(r.ordered, r.currency)),
                    collected=to_money(Money(r.collected, r.currency)),
                    refunded=to_money(Money(r.refunded, r.currency)),
                    units=r.units,
                )
                for r in rows
            ],
            next_page_token=encode_token(
                {"after": [str(rows[-1].day), rows[-1].employee_code, rows[-1].shop]}
            )
            if len(rows) == size
            else "",
        )
