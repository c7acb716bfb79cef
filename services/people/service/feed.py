"""Use cases: the people event feed (reads of events carrying pay, attendance or training
results are audited like any confidential read) and the audit log itself."""

from __future__ import annotations

from storeops.people.v1 import events_pb2 as ev
from storeops.people.v1 import people_service_pb2 as pb

from services.common.audit import AuditEntry, AuditQuery, StoredAuditEntry
from services.common.feeds import list_events
from services.common.paging import decode_token, encode_token, page_size
from services.people.domain.confidentiality import DataCategory, VisibilityBasis
from services.people.service.context import People

CONFIDENTIAL_EVENTS = {
    ev.EmployeeHired.DESCRIPTOR.full_name: DataCategory.PAY,
    ev.EmployeeChanged.DESCRIPTOR.full_name: DataCategory.PAY,
    ev.AttendanceMonthClosed.DESCRIPTOR.full_name: DataCategory.ATTENDANCE,
    ev.TrainingResultRecorded.DESCRIPTOR.full_name: DataCategory.APPRAISAL,
}


async def read_events(people: People, after: str, size: int) -> pb.ListEventsResponse:
    page = await list_events(people.db.feed, after, size, pb.ListEventsResponse)
    entries = [
        AuditEntry.by_caller(
            "events.read",
            f"events/{event.cursor}",
            subject=event.key,
            category=CONFIDENTIAL_EVENTS[event.type].value,
            basis=VisibilityBasis.PERMISSION.value,  # people.events.read: HR and payroll's feed
            details={"type": event.type.rsplit(".", 1)[-1]},
        )
        for event in page.events
        if event.type in CONFIDENTIAL_EVENTS
    ]
    if entries:
        async with people.db.unit_of_work() as uow:
            await uow.audit(*entries)
            await uow.commit()
    return page


async def audit_entries(
    people: People, query: AuditQuery, size: int, token: str
) -> tuple[list[StoredAuditEntry], str]:
    position = decode_token(token, {"before": int})
    limit = page_size(size, default=100, maximum=1000)
    async with people.db.unit_of_work() as uow:
        rows = await people.db.audit_reader.page(
            uow.connection, query, int(position["before"]) if position else None, limit + 1
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_token({"before": rows[-1].id}) if more else ""
