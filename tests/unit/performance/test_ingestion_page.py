"""The page writer of fact ingestion: rows written per slot, slots in the order they are defined,
rows of a slot in event order; a rejected event's rows dropped; a read sees what came before."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.performance.service.ingestion.page import PageWriter, Slot

FIRST = Slot("first", sa.text("first"))
SECOND = Slot("second", sa.text("second"))
READ = sa.text("read")


class Recorder:
    """Stands in for the connection: what was executed, with which parameters."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def execute(self, statement: sa.TextClause, parameters: Any = None) -> None:
        self.calls.append((statement.text, parameters))


def writer() -> tuple[PageWriter, Recorder]:
    recorder = Recorder()
    return PageWriter(cast(AsyncConnection, recorder)), recorder


async def test_rows_are_written_per_slot_in_definition_order_and_event_order() -> None:
    page, recorder = writer()
    page.add(SECOND, {"n": 1})
    page.add(FIRST, {"n": 2})
    page.add(SECOND, {"n": 3})
    assert recorder.calls == []
    await page.flush()
    assert recorder.calls == [("first", {"n": 2}), ("second", [{"n": 1}, {"n": 3}])]
    await page.flush()  # nothing pending: nothing written
    assert len(recorder.calls) == 2


async def test_a_rejected_events_rows_are_dropped() -> None:
    page, recorder = writer()
    page.begin_event()
    page.add(FIRST, {"n": 1})
    mark = page.begin_event()
    page.add(FIRST, {"n": 2})
    page.add(SECOND, {"n": 2})
    page.discard(mark)
    assert not page.executed
    await page.flush()
    assert recorder.calls == [("first", {"n": 1})]


async def test_a_statement_run_now_comes_after_everything_pending() -> None:
    page, recorder = writer()
    page.begin_event()
    page.add(SECOND, {"n": 1})
    assert not page.executed
    await page.execute(READ, {"k": "x"})
    assert page.executed
    assert recorder.calls == [("second", {"n": 1}), ("read", {"k": "x"})]
    page.begin_event()
    assert not page.executed
