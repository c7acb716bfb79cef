"""OrderService RPCs on orders themselves: protobuf → use case → protobuf, nothing else."""

from __future__ import annotations

from datetime import datetime

import grpc
from storeops.orders.v1 import cases_pb2, resources_pb2
from storeops.orders.v1 import orders_service_pb2 as pb

from services.common.errors import InvalidArgument
from services.common.feeds import list_events
from services.common.proto_convert import from_timestamp
from services.orders.api import convert
from services.orders.api.base import ApiBase
from services.orders.api.paging import offset_page
from services.orders.domain.customer import Customer
from services.orders.domain.intake import LineInput
from services.orders.domain.query import parse_order_query
from services.orders.service import cases, order_actions, queries
from services.orders.service.placing import PlaceOrder, place_order


class OrdersApi(ApiBase):
    async def PlaceOrder(
        self, request: pb.PlaceOrderRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        command = PlaceOrder(
            channel=resources_pb2.Channel.Name(request.channel),
            external_order_id=request.external_order_id,
            customer=Customer(
                request.customer.name, request.customer.phone, request.customer.address
            ),
            lines=[
                LineInput(
                    line.sku_code,
                    line.quantity,
                    line.unit_price.amount_minor,
                    line.unit_price.currency_code,
                )
                for line in request.lines
            ],
            paid=request.paid,
            buyer_message=request.buyer_message,
            service_note=request.service_note,
            handled_by=request.handled_by,
        )
        return self._order(await place_order(self._ctx, command))

    async def GetOrder(
        self, request: pb.GetOrderRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        order, reveal = await queries.get_order(self._ctx, request.order_id)
        return self._order(order, reveal)

    async def ListOrders(
        self, request: pb.ListOrdersRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListOrdersResponse:
        query = parse_order_query(
            status=resources_pb2.Order.Status.Name(request.status) if request.status else None,
            channel=resources_pb2.Channel.Name(request.channel) if request.channel else None,
            created_from=_instant(request, "created_from"),
            created_to=_instant(request, "created_to"),
            sku_code=request.sku_code or None,
            customer=request.customer or None,
            handled_by=request.handled_by or None,
            page_size=request.page_size,
            page_token=request.page_token or None,
        )
        page = await queries.list_orders(self._ctx, query)
        return pb.ListOrdersResponse(
            orders=[self._order(o, page.reveal_contact) for o in page.orders],
            next_page_token=page.next_page_token,
        )

    async def CancelOrder(
        self, request: pb.CancelOrderRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        order = await order_actions.cancel_order(self._ctx, request.order_id, request.reason)
        return self._order(order)

    async def ShipOrder(
        self, request: pb.ShipOrderRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        weight = request.weight_grams if request.HasField("weight_grams") else None
        order = await order_actions.ship_order(
            self._ctx, request.order_id, request.carrier, request.tracking_number, weight
        )
        return self._order(order)

    async def ShipOrderParcel(
        self, request: pb.ShipOrderParcelRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        order = await order_actions.ship_parcel(
            self._ctx,
            request.order_id,
            {line.line_no: line.quantity for line in request.lines},
            request.carrier,
            request.tracking_number,
            request.weight_grams or None,
            request.address or None,
        )
        return self._order(order)

    async def MarkOrderPaid(
        self, request: pb.MarkOrderPaidRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        return self._order(await order_actions.mark_paid(self._ctx, request.order_id))

    async def AssignOrderHandler(
        self, request: pb.AssignOrderHandlerRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        order = await order_actions.assign_handler(self._ctx, request.order_id, request.handled_by)
        return self._order(order)

    async def ChangeOrderAddress(
        self, request: pb.ChangeOrderAddressRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        order = await order_actions.change_address(self._ctx, request.order_id, request.address)
        return self._order(order)

    async def ChangeOrderCarrier(
        self, request: pb.ChangeOrderCarrierRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        order = await order_actions.change_carrier(self._ctx, request.order_id, request.carrier)
        return self._order(order)

    async def ConfirmDelivery(
        self, request: pb.ConfirmDeliveryRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        return self._order(await order_actions.confirm_delivery(self._ctx, request.order_id))

    async def RequestInvoice(
        self, request: cases_pb2.RequestInvoiceRequest, context: grpc.aio.ServicerContext
    ) -> cases_pb2.Invoice:
        value = await cases.invoice(
            self._ctx, request.order_id, request.invoice_id, request.title, request.tax_id
        )
        return convert.invoice(request.invoice_id, value)

    async def ListInvoices(
        self, request: cases_pb2.ListInvoicesRequest, context: grpc.aio.ServicerContext
    ) -> cases_pb2.ListInvoicesResponse:
        items = await cases.invoices(self._ctx, request.order_id)
        page, token = offset_page(items, request.page_size, request.page_token)
        return cases_pb2.ListInvoicesResponse(
            invoices=[convert.invoice(i, v) for i, v in page], next_page_token=token
        )

    async def ListEvents(
        self, request: pb.ListEventsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListEventsResponse:
        return await list_events(
            self._feed, request.after, request.page_size, pb.ListEventsResponse
        )


def _instant(request: pb.ListOrdersRequest, name: str) -> datetime | None:
    """A Timestamp field as an aware datetime; a malformed one is INVALID_ARGUMENT."""
    present = request.HasField(name)
    try:
        return from_timestamp(getattr(request, name), present)
    except (ValueError, OverflowError):
        raise InvalidArgument.for_field(
            name, "must be a valid timestamp (seconds within 0001–9999, nanos 0–999,999,999)"
        ) from None
