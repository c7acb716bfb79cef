"""Writing the facts of a page of events in a few statements.

Handlers do not execute their inserts and updates one by one: they `add` a row to a `Slot`, a
statement executed once per page with the rows every event added to it (executemany: one round
trip; the rows still applied one after the other, in event order). At `flush` the slots run in
the order they are defined in their module. So the rows of one slot keep their relative order
(the first cancellation of an order wins, the last rating replaces the others), and a slot may
rely on the slots defined before it (an update of `order_facts` finds the row the upsert slot
wrote). Rows of different slots must not otherwise depend on each other: e.g. the orders slots
touch disjoint columns (the upsert sets `units` on conflict; the updates set `cancelled_at`,
`shipped_*`, `delivered_at` where still null), so writing all upserts of a page before all
updates gives the same rows as running each event's statements in turn.

A handler that must read the database, or see what its statement did, uses `execute`, which
first writes everything pending, so it sees the events before it. Rows added by an event that is
then rejected are dropped (`begin_event` / `discard`); what `execute` ran cannot be, which the
caller learns from `executed`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncConnection

_ranks = itertools.count()


class Slot:
    """A statement executed once per page with the rows handlers added to it, in event order."""

    __slots__ = ("name", "rank", "statement")

    def __init__(self, name: str, statement: sa.Executable) -> None:
        self.name = name
        self.statement = statement
        self.rank = next(_ranks)  # slots run in the order they were defined

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


Row = Mapping[str, Any]


class PageWriter:
    """Collects the rows of a page's events and writes them slot by slot (`flush`)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._pending: list[tuple[Slot, Row]] = []
        self._executed = False  # a statement ran since `begin_event`

    def add(self, slot: Slot, row: Row) -> None:
        """`row` for `slot`'s statement, written at the next `flush` (every row of a slot must
        have the same keys)."""
        self._pending.append((slot, row))

    async def execute(
        self, statement: sa.Executable, parameters: Row | Sequence[Row] | None = None
    ) -> Result[Any]:
        """Run a statement now (after writing everything pending, so it sees earlier events)."""
        await self.flush()
        self._executed = True
        return await self.connection.execute(statement, parameters)

    def begin_event(self) -> int:
        """A mark before one event's handler: `discard(mark)` drops what it added since."""
        self._executed = False
        return len(self._pending)

    @property
    def executed(self) -> bool:
        """Whether a statement ran since `begin_event` (its effects cannot be discarded)."""
        return self._executed

    def discard(self, mark: int) -> None:
        del self._pending[mark:]

    async def flush(self) -> None:
        if not self._pending:
            return
        by_slot: dict[Slot, list[Row]] = {}
        for slot, row in self._pending:
            by_slot.setdefault(slot, []).append(row)
        self._pending = []
        for slot in sorted(by_slot, key=_rank):
            rows = by_slot[slot]
            await self.connection.execute(slot.statement, rows[0] if len(rows) == 1 else rows)


def _rank(slot: Slot) -> int:
    return slot.rank
