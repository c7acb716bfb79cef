"""How inventory's answers are read by the saga, which feed events wake backorders, settings."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from storeops.common.v1 import events_pb2
from storeops.inventory.v1 import events_pb2 as inv_events

from services.common.config import SettingsError, load_settings
from services.orders.domain.backorder import BackorderMode
from services.orders.service.backorders import arrived_sku
from services.orders.service.inventory import Outcome, answer_for_error
from services.orders.service.settings import load_orders_settings


class FakeError(grpc.aio.AioRpcError):
    def __init__(self, code: grpc.StatusCode, message: str, metadata: dict[str, str]) -> None:
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.ErrorInfo(reason="R", metadata=metadata))
        status = status_pb2.Status(message=message, details=[detail])
        trailing = grpc.aio.Metadata(("grpc-status-details-bin", status.SerializeToString()))
        super().__init__(code, grpc.aio.Metadata(), trailing, details=message)


@pytest.mark.parametrize(
    "code",
    [
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.INTERNAL,
    ],
)
def test_answers_that_say_nothing_leave_the_step_pending(code: grpc.StatusCode) -> None:
    answer = answer_for_error(FakeError(code, "x", {}))
    assert answer.outcome is Outcome.UNREACHABLE
    assert not answer.settled


def test_short_stock_names_the_short_skus() -> None:
    answer = answer_for_error(
        FakeError(grpc.StatusCode.FAILED_PRECONDITION, "not enough stock", {"short_skus": "A,B"})
    )
    assert (answer.outcome, answer.skus) == (Outcome.SHORT, ("A", "B"))


def test_unknown_sku_is_told_apart_from_an_unknown_reservation() -> None:
    sku = answer_for_error(
        FakeError(grpc.StatusCode.NOT_FOUND, "SKU X does not exist", {"unknown_skus": "X"})
    )
    reservation = answer_for_error(
        FakeError(grpc.StatusCode.NOT_FOUND, "reservation ord-1 does not exist", {})
    )
    assert (sku.outcome, sku.skus) == (Outcome.UNKNOWN_SKU, ("X",))
    assert reservation.outcome is Outcome.NOT_FOUND


def test_other_refusals_are_final() -> None:
    answer = answer_for_error(FakeError(grpc.StatusCode.INVALID_ARGUMENT, "bad", {}))
    assert answer.outcome is Outcome.REFUSED
    assert answer.settled


def event(message: Any) -> events_pb2.Event:
    payload = any_pb2.Any()
    payload.Pack(message)
    return events_pb2.Event(type=message.DESCRIPTOR.full_name, payload=payload)


def test_received_returned_released_and_raised_stock_wakes_backorders() -> None:
    assert arrived_sku(event(inv_events.StockReceived(sku_code="A"))) == "A"
    assert arrived_sku(event(inv_events.StockReturned(sku_code="B", sellable=True))) == "B"
    assert arrived_sku(event(inv_events.StockReleased(sku_code="C"))) == "C"
    assert arrived_sku(event(inv_events.StockAdjusted(sku_code="D", quantity_delta=3))) == "D"


def test_defective_returns_lowered_stock_and_refusals_wake_nothing() -> None:
    assert arrived_sku(event(inv_events.StockReturned(sku_code="B", sellable=False))) is None
    assert arrived_sku(event(inv_events.StockAdjusted(sku_code="D", quantity_delta=-1))) is None
    assert arrived_sku(event(inv_events.StockShort(sku_code="E"))) is None
    assert arrived_sku(event(inv_events.StockIssued(sku_code="F"))) is None


ENV = {"STOREOPS_ORDERS_DATABASE_URL": "postgresql+psycopg://x/y"}


def test_settings_default_to_the_seed_rules() -> None:
    settings = load_orders_settings(load_settings("orders", ENV))
    assert [t.strftime("%H:%M") for t in settings.waves.cutoffs] == [
        "10:30",
        "12:00",
        "14:30",
        "16:30",
        "17:30",
    ]
    assert settings.review.max_orders == 200
    assert settings.backorder.mode is BackorderMode.SKIP_AND_CONTINUE
    assert settings.backoff(0) == 1.0
    assert settings.backoff(10) == 30.0


def test_settings_are_read_from_the_environment() -> None:
    settings = load_orders_settings(
        load_settings(
            "orders",
            {
                **ENV,
                "STOREOPS_ORDERS_WAVE_CUTOFFS": "11:00,15:00",
                "STOREOPS_ORDERS_WORKING_DAYS": "0-4",
                "STOREOPS_ORDERS_BACKORDER_MODE": "strict_fifo_per_sku",
                "STOREOPS_ORDERS_LATE_RESERVE_WINDOW_SECONDS": "12",
            },
        )
    )
    assert len(settings.waves.cutoffs) == 2
    assert settings.waves.working_days == frozenset(range(5))
    assert settings.backorder.mode is BackorderMode.STRICT_FIFO_PER_SKU
    assert settings.late_reserve.total_seconds() == 12


def test_a_malformed_setting_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="STOREOPS_ORDERS_WAVE_CUTOFFS"):
        load_orders_settings(
            load_settings("orders", {**ENV, "STOREOPS_ORDERS_WAVE_CUTOFFS": "noon"})
        )
