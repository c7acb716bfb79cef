"""OrderService: protobuf ↔ use cases, nothing else (one part per area of the business)."""

from __future__ import annotations

from storeops.orders.v1 import orders_service_pb2_grpc as pb_grpc

from services.orders.api.after_sales_api import AfterSalesApi
from services.orders.api.cases_api import CasesApi
from services.orders.api.fulfilment_api import FulfilmentApi
from services.orders.api.orders_api import OrdersApi


class OrderServicer(
    OrdersApi, FulfilmentApi, AfterSalesApi, CasesApi, pb_grpc.OrderServiceServicer
):
    """Every RPC of storeops.orders.v1.OrderService."""
