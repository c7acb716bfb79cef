"""Helpers of the orders end-to-end tests (no tests here): a REST client for the shop's side of the
system — stock set up through the real inventory, orders through the gateway — and polling."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg

from services.common.db import libpq_url
from tests.support.system import RestResponse, RunningSystem

T = TypeVar("T")
PRICE = 1_990  # minor units of CNY


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def eventually(probe: Callable[[], T | None], timeout: float = 45.0, every: float = 0.3) -> T:
    """Poll until `probe` returns something truthy (the system finishes steps in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last: {value!r})")
        time.sleep(every)


class Shop:
    """REST calls through the gateway with one token, failing loudly on an unexpected status."""

    def __init__(self, system: RunningSystem, token: str) -> None:
        self.system = system
        self.token = token

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = self.system.rest(method, path, body, token=self.token)
        assert response.status == expect, (method, path, response.status, response.body)
        return response.body

    def raw(self, method: str, path: str, body: Any = None) -> RestResponse:
        return self.system.rest(method, path, body, token=self.token)

    # ------------------------------------------------------------------ inventory
    def warehouse(self, kind: str = "SELLABLE") -> str:
        code = uid("WH")
        self.call("POST", "/v1/warehouses", {"code": code, "name": f"Store {code}", "kind": kind})
        return code

    def sku(self) -> str:
        code = uid("TEA")
        self.call(
            "PUT",
            f"/v1/skus/{code}",
            {
                "styleCode": "LJ-250",
                "color": "green",
                "size": "250g",
                "name": "West Lake Longjing 250 g",
                "unitCost": {"currencyCode": "CNY", "amountMinor": 900},
            },
        )
        return code

    def receive(self, warehouse: str, lines: dict[str, int]) -> None:
        """A delivery through receiving and QC (first sample clean), completed: stock on hand."""
        receipt_id = uid("RC")
        receipt = self.call(
            "POST",
            "/v1/receipts",
            {
                "receiptId": receipt_id,
                "warehouseCode": warehouse,
                "supplier": "Longjing Co-op",
                "lines": [{"skuCode": s, "quantity": q} for s, q in lines.items()],
            },
        )
        self.call(
            "POST",
            f"/v1/receipts/{receipt_id}:inspect",
            {
                "lines": [
                    {"skuCode": ln["skuCode"], "inspected": ln["sampleSize"], "defective": 0}
                    for ln in receipt["lines"]
                ]
            },
        )
        self.call("POST", f"/v1/receipts/{receipt_id}:complete", {})

    def stock(self, sku: str) -> tuple[int, int, int]:
        """(on hand, reserved, available) over sellable warehouses."""
        level = self.call("GET", f"/v1/skus/{sku}/stock")
        return int(level["onHand"]), int(level["reserved"]), int(level["available"])

    def stocked_sku(self, units: int) -> str:
        warehouse, sku = self.warehouse(), self.sku()
        if units:
            self.receive(warehouse, {sku: units})
        return sku

    # ------------------------------------------------------------------ orders
    @staticmethod
    def order_body(
        lines: dict[str, int],
        external_id: str | None = None,
        *,
        channel: str = "TMALL",
        paid: bool = True,
        price: int = PRICE,
        customer: str = "韩梅梅",
        **extra: Any,
    ) -> dict[str, Any]:
        return {
            "channel": channel,
            "externalOrderId": external_id or uid("TM"),
            "customer": {
                "name": customer,
                "phone": "+86 139-0000-1234",
                "address": "杭州市上城区 8 号",
            },
            "lines": [
                {
                    "skuCode": s,
                    "quantity": q,
                    "unitPrice": {"currencyCode": "CNY", "amountMinor": price},
                }
                for s, q in lines.items()
            ],
            "paid": paid,
            **extra,
        }

    def place(self, lines: dict[str, int], **kwargs: Any) -> dict[str, Any]:
        return self.call("POST", "/v1/orders", self.order_body(lines, **kwargs))  # type: ignore[no-any-return]

    def order(self, order_id: str) -> dict[str, Any]:
        return self.call("GET", f"/v1/orders/{order_id}")  # type: ignore[no-any-return]

    def act(self, order_id: str, verb: str, body: Any = None, expect: int = 200) -> Any:
        return self.call("POST", f"/v1/orders/{order_id}:{verb}", body or {}, expect=expect)

    def status_becomes(
        self, order_id: str, *statuses: str, timeout: float = 45.0
    ) -> dict[str, Any]:
        return eventually(
            lambda: (o := self.order(order_id))["status"] in statuses and o, timeout=timeout
        )


def orders_db(
    system: RunningSystem, sql: str, params: tuple[Any, ...] = ()
) -> list[tuple[Any, ...]]:
    """Read the orders database directly (what the service stored, for checks the API hides)."""
    with psycopg.connect(libpq_url(system.local.database_urls["orders"])) as connection:
        return list(connection.execute(sql, params).fetchall())  # type: ignore[arg-type]
