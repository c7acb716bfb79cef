"""What the orders service asks of inventory, and inventory's answers as plain values.

The saga only needs to tell a few answers apart: done, short of stock, an unknown SKU (or another
refusal that retrying cannot fix), and "could not tell" (unreachable, timed out, overloaded), after
which the step stays pending and the reconciler asks again under the same idempotency key.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import grpc
from google.rpc import error_details_pb2, status_pb2
from storeops.common.v1 import events_pb2
from storeops.inventory.v1 import inventory_service_pb2 as inv
from storeops.inventory.v1 import inventory_service_pb2_grpc as inv_grpc
from storeops.inventory.v1 import receiving_pb2, resources_pb2

log = logging.getLogger(__name__)

CallKwargs = Callable[[float], Awaitable[dict[str, Any]]]


class Outcome(StrEnum):
    """How inventory answered."""

    DONE = "DONE"
    SHORT = "SHORT"
    UNKNOWN_SKU = "UNKNOWN_SKU"
    REFUSED = "REFUSED"
    NOT_FOUND = "NOT_FOUND"
    UNREACHABLE = "UNREACHABLE"


@dataclass(frozen=True)
class Answer:
    """Inventory's answer: the outcome, its message, SKUs it names, the reservation's state."""

    outcome: Outcome
    message: str = ""
    skus: tuple[str, ...] = ()
    state: str = ""

    @property
    def settled(self) -> bool:
        """False when nothing is known (the step stays pending)."""
        return self.outcome is not Outcome.UNREACHABLE

    @property
    def holds_stock(self) -> bool:
        """A reservation that holds (or issued) the units: ACTIVE or COMMITTED."""
        return self.outcome is Outcome.DONE and self.state in ("ACTIVE", "COMMITTED", "")


@dataclass(frozen=True)
class ReturnedUnits:
    """Units of one SKU going back to stock (sellable) or to defective stock."""

    sku_code: str
    quantity: int
    sellable: bool


class Inventory(Protocol):
    """The inventory calls the orders service makes."""

    async def reserve(
        self, reservation_id: str, lines: Sequence[tuple[str, int]], timeout: float | None = None
    ) -> Answer: ...

    async def release(self, reservation_id: str, timeout: float | None = None) -> Answer: ...

    async def commit(self, reservation_id: str, timeout: float | None = None) -> Answer: ...

    async def return_stock(
        self,
        return_id: str,
        units: Sequence[ReturnedUnits],
        *,
        reservation_id: str,
        reason: str,
        warehouse_code: str = "",
        timeout: float | None = None,
    ) -> Answer: ...

    async def available(self, skus: Sequence[str]) -> dict[str, int] | None: ...

    async def events(
        self, after: str, page_size: int
    ) -> tuple[Sequence[events_pb2.Event], str]: ...


_TRANSIENT = {
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.CANCELLED,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
    # A token or permission problem is a deployment fault that someone fixes; the order waits.
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.UNIMPLEMENTED,
}


def _error_metadata(error: grpc.aio.AioRpcError) -> dict[str, str]:
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return dict(info.metadata)
    return {}


def answer_for_error(error: grpc.aio.AioRpcError, asked: Sequence[str] = ()) -> Answer:
    """Map an inventory error to an Answer; `asked` are the SKUs of the request."""
    code, message = error.code(), error.details() or ""
    if code in _TRANSIENT:
        return Answer(Outcome.UNREACHABLE, f"{code.name}: {message}")
    metadata = _error_metadata(error)
    listed = metadata.get("short_skus") or metadata.get("unknown_skus") or metadata.get("sku_codes")
    named = tuple(s for s in (listed or "").split(",") if s) or tuple(
        sku for sku in asked if sku in message
    )
    if metadata.get("sku_code"):
        named = (metadata["sku_code"],)
    if code == grpc.StatusCode.FAILED_PRECONDITION and (
        metadata.get("short_skus") or "stock" in message.lower()
    ):
        return Answer(Outcome.SHORT, message, named)
    if code == grpc.StatusCode.NOT_FOUND:
        outcome = Outcome.UNKNOWN_SKU if named else Outcome.NOT_FOUND
        return Answer(outcome, message, named)
    return Answer(Outcome.REFUSED, f"{code.name}: {message}", named)


def _state(reservation: resources_pb2.Reservation) -> str:
    return str(resources_pb2.Reservation.State.Name(reservation.state))


class GrpcInventory:
    """Inventory over gRPC, as this service's account (`call_kwargs` adds token and deadline)."""

    def __init__(self, channel: grpc.aio.Channel, call_kwargs: CallKwargs, timeout: float) -> None:
        self._stub = inv_grpc.InventoryServiceStub(channel)
        self._call_kwargs = call_kwargs
        self._timeout = timeout

    async def _kwargs(self, timeout: float | None) -> dict[str, Any] | None:
        try:
            return await self._call_kwargs(timeout or self._timeout)
        except Exception as exc:  # no service token (people down): the step waits
            log.warning("no credentials for inventory: %s", exc)
            return None

    async def reserve(
        self, reservation_id: str, lines: Sequence[tuple[str, int]], timeout: float | None = None
    ) -> Answer:
        kwargs = await self._kwargs(timeout)
        if kwargs is None:
            return Answer(Outcome.UNREACHABLE, "no service token")
        request = inv.ReserveStockRequest(
            reservation_id=reservation_id,
            lines=[inv.SkuQuantity(sku_code=s, quantity=q) for s, q in lines],
        )
        try:
            reservation = await self._stub.ReserveStock(request, **kwargs)
        except grpc.aio.AioRpcError as error:
            return answer_for_error(error, [s for s, _ in lines])
        return Answer(Outcome.DONE, state=_state(reservation))

    async def release(self, reservation_id: str, timeout: float | None = None) -> Answer:
        kwargs = await self._kwargs(timeout)
        if kwargs is None:
            return Answer(Outcome.UNREACHABLE, "no service token")
        try:
            reservation = await self._stub.ReleaseReservation(
                inv.ReleaseReservationRequest(reservation_id=reservation_id), **kwargs
            )
        except grpc.aio.AioRpcError as error:
            return answer_for_error(error)
        return Answer(Outcome.DONE, state=_state(reservation))

    async def commit(self, reservation_id: str, timeout: float | None = None) -> Answer:
        kwargs = await self._kwargs(timeout)
        if kwargs is None:
            return Answer(Outcome.UNREACHABLE, "no service token")
        try:
            reservation = await self._stub.CommitReservation(
                inv.CommitReservationRequest(reservation_id=reservation_id), **kwargs
            )
        except grpc.aio.AioRpcError as error:
            return answer_for_error(error)
        return Answer(Outcome.DONE, state=_state(reservation))

    async def return_stock(
        self,
        return_id: str,
        units: Sequence[ReturnedUnits],
        *,
        reservation_id: str,
        reason: str,
        warehouse_code: str = "",
        timeout: float | None = None,
    ) -> Answer:
        kwargs = await self._kwargs(timeout)
        if kwargs is None:
            return Answer(Outcome.UNREACHABLE, "no service token")
        request = receiving_pb2.ReturnStockRequest(
            return_id=return_id,
            lines=[
                receiving_pb2.ReturnLine(
                    sku_code=u.sku_code, quantity=u.quantity, sellable=u.sellable
                )
                for u in units
            ],
            warehouse_code=warehouse_code,
            reservation_id=reservation_id,
            reason=reason[:200],
        )
        try:
            await self._stub.ReturnStock(request, **kwargs)
        except grpc.aio.AioRpcError as error:
            return answer_for_error(error, [u.sku_code for u in units])
        return Answer(Outcome.DONE)

    async def available(self, skus: Sequence[str]) -> dict[str, int] | None:
        """Units available per SKU (unknown SKUs count 0); None when inventory cannot answer."""
        result: dict[str, int] = {}
        for sku in skus:
            kwargs = await self._kwargs(None)
            if kwargs is None:
                return None
            try:
                level = await self._stub.GetStockLevel(
                    inv.GetStockLevelRequest(sku_code=sku), **kwargs
                )
            except grpc.aio.AioRpcError as error:
                if error.code() == grpc.StatusCode.NOT_FOUND:
                    result[sku] = 0
                    continue
                log.info("stock level of %s unavailable: %s", sku, error.code().name)
                return None
            result[sku] = int(level.available)
        return result

    async def events(self, after: str, page_size: int) -> tuple[Sequence[events_pb2.Event], str]:
        kwargs = await self._call_kwargs(self._timeout)
        response = await self._stub.ListEvents(
            inv.ListEventsRequest(after=after, page_size=page_size), **kwargs
        )
        return list(response.events), response.next_cursor
