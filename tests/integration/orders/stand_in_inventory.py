"""A stand-in for the inventory service: a real grpc.aio server on a free port, in this process,
implementing the calls orders makes (reserve, release, commit, stock level, return stock, event
feed) with CONTRACT.md's semantics and answers the test controls (down, slow, counted calls).

Inventory is another service, so a stand-in here tests orders' side of the saga over real gRPC;
the real inventory is exercised by the end-to-end tests."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from storeops.common.v1 import events_pb2
from storeops.inventory.v1 import events_pb2 as inv_events
from storeops.inventory.v1 import inventory_service_pb2 as inv
from storeops.inventory.v1 import inventory_service_pb2_grpc as inv_grpc
from storeops.inventory.v1 import receiving_pb2, resources_pb2


@dataclass
class Reservation:
    lines: dict[str, int]
    state: str = "ACTIVE"


@dataclass
class StandInInventory(inv_grpc.InventoryServiceServicer):
    on_hand: dict[str, int] = field(default_factory=dict)
    reserved: dict[str, int] = field(default_factory=dict)
    reservations: dict[str, Reservation] = field(default_factory=dict)
    returns: dict[str, list[tuple[str, int, bool]]] = field(default_factory=dict)
    events: list[events_pb2.Event] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    down: bool = False
    delay: float = 0.0
    # Per call name: answer UNAVAILABLE after doing the work (the answer is lost on the way back).
    lose_answer: set[str] = field(default_factory=set)

    # ------------------------------------------------------------------ test controls
    def stock(self, sku: str, units: int) -> None:
        """Receive `units` of `sku` (and tell the feed, as a completed receipt would)."""
        self.on_hand[sku] = self.on_hand.get(sku, 0) + units
        self.reserved.setdefault(sku, 0)
        self._event(sku, inv_events.StockReceived(sku_code=sku, quantity=units))

    def available(self, sku: str) -> int:
        return self.on_hand.get(sku, 0) - self.reserved.get(sku, 0)

    def _event(self, key: str, message: inv_events.StockReceived) -> None:
        payload = any_pb2.Any()
        payload.Pack(message)
        n = len(self.events) + 1
        self.events.append(
            events_pb2.Event(
                cursor=f"1-{n}", type=message.DESCRIPTOR.full_name, key=key, payload=payload
            )
        )

    async def _gate(self, name: str, context: grpc.aio.ServicerContext) -> None:
        self.calls[name] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "inventory is down (stand-in)")

    async def _lost(self, name: str, context: grpc.aio.ServicerContext) -> None:
        if name in self.lose_answer:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "answer lost (stand-in)")

    @staticmethod
    async def _abort(
        context: grpc.aio.ServicerContext, code: int, message: str, metadata: dict[str, str]
    ) -> None:
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.ErrorInfo(reason="X", domain="storeops", metadata=metadata))
        status = status_pb2.Status(code=code, message=message, details=[detail])
        await context.abort(
            grpc.StatusCode.FAILED_PRECONDITION
            if code == code_pb2.FAILED_PRECONDITION
            else grpc.StatusCode.NOT_FOUND,
            message,
            trailing_metadata=(("grpc-status-details-bin", status.SerializeToString()),),
        )

    def _reply(self, reservation_id: str) -> resources_pb2.Reservation:
        r = self.reservations[reservation_id]
        return resources_pb2.Reservation(
            reservation_id=reservation_id,
            state=r.state,
            lines=[
                resources_pb2.Reservation.Line(sku_code=s, quantity=q) for s, q in r.lines.items()
            ],
        )

    # ------------------------------------------------------------------ RPCs
    async def ReserveStock(
        self, request: inv.ReserveStockRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Reservation:
        await self._gate("ReserveStock", context)
        rid = request.reservation_id
        lines = {line.sku_code: line.quantity for line in request.lines}
        if rid not in self.reservations:
            unknown = sorted(s for s in lines if s not in self.on_hand)
            if unknown:
                await self._abort(
                    context,
                    code_pb2.NOT_FOUND,
                    f"lines: SKU {', '.join(unknown)} does not exist; nothing was reserved",
                    {"unknown_skus": ",".join(unknown)},
                )
            short = sorted(s for s, q in lines.items() if self.available(s) < q)
            if short:
                await self._abort(
                    context,
                    code_pb2.FAILED_PRECONDITION,
                    "not enough stock to reserve, nothing was reserved",
                    {"short_skus": ",".join(short)},
                )
            for sku, qty in lines.items():
                self.reserved[sku] += qty
            self.reservations[rid] = Reservation(lines)
            self.calls["reservations_created"] += 1
        await self._lost("ReserveStock", context)
        return self._reply(rid)

    async def ReleaseReservation(
        self, request: inv.ReleaseReservationRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Reservation:
        await self._gate("ReleaseReservation", context)
        rid = request.reservation_id
        found = self.reservations.get(rid)
        if found is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"reservation {rid} does not exist")
        assert found is not None
        if found.state == "COMMITTED":
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "reservation is committed")
        if found.state == "ACTIVE":
            for sku, qty in found.lines.items():
                self.reserved[sku] -= qty
            found.state = "RELEASED"
        await self._lost("ReleaseReservation", context)
        return self._reply(rid)

    async def CommitReservation(
        self, request: inv.CommitReservationRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Reservation:
        await self._gate("CommitReservation", context)
        rid = request.reservation_id
        found = self.reservations.get(rid)
        if found is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"reservation {rid} does not exist")
        assert found is not None
        if found.state == "RELEASED":
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "reservation is released")
        if found.state == "ACTIVE":
            for sku, qty in found.lines.items():
                self.reserved[sku] -= qty
                self.on_hand[sku] -= qty
            found.state = "COMMITTED"
        await self._lost("CommitReservation", context)
        return self._reply(rid)

    async def GetStockLevel(
        self, request: inv.GetStockLevelRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.StockLevel:
        await self._gate("GetStockLevel", context)
        sku = request.sku_code
        if sku not in self.on_hand:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"SKU {sku} does not exist")
        return resources_pb2.StockLevel(
            sku_code=sku,
            on_hand=self.on_hand[sku],
            reserved=self.reserved[sku],
            available=self.available(sku),
        )

    async def ReturnStock(
        self, request: receiving_pb2.ReturnStockRequest, context: grpc.aio.ServicerContext
    ) -> receiving_pb2.StockReturn:
        await self._gate("ReturnStock", context)
        if request.return_id not in self.returns:
            lines = [(ln.sku_code, ln.quantity, ln.sellable) for ln in request.lines]
            self.returns[request.return_id] = lines
            for sku, qty, sellable in lines:
                if sellable:
                    self.on_hand[sku] = self.on_hand.get(sku, 0) + qty
                    self.reserved.setdefault(sku, 0)
        return receiving_pb2.StockReturn(return_id=request.return_id)

    async def ListEvents(
        self, request: inv.ListEventsRequest, context: grpc.aio.ServicerContext
    ) -> inv.ListEventsResponse:
        await self._gate("ListEvents", context)
        start = int(request.after.split("-")[1]) if request.after else 0
        page = self.events[start : start + (request.page_size or 100)]
        return inv.ListEventsResponse(
            events=page, next_cursor=page[-1].cursor if page else request.after
        )


@dataclass
class RunningStandIn:
    inventory: StandInInventory
    server: grpc.aio.Server
    address: str


async def start_stand_in() -> RunningStandIn:
    inventory = StandInInventory()
    server = grpc.aio.server()
    inv_grpc.add_InventoryServiceServicer_to_server(inventory, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return RunningStandIn(inventory, server, f"127.0.0.1:{port}")
