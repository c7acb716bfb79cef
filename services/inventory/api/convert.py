"""Domain and use-case values → protobuf messages (and the few conversions back)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from google.protobuf import timestamp_pb2
from storeops.common.v1 import money_pb2
from storeops.inventory.v1 import catalogue_pb2 as cat
from storeops.inventory.v1 import inventory_service_pb2 as pb
from storeops.inventory.v1 import loans_pb2 as loans
from storeops.inventory.v1 import movements_pb2 as mov
from storeops.inventory.v1 import planning_pb2 as plan
from storeops.inventory.v1 import receiving_pb2 as rcv
from storeops.inventory.v1 import resources_pb2 as res

from services.common.errors import InvalidArgument
from services.common.money import quantize_half_up
from services.common.proto_convert import date_text, from_money, to_money, to_timestamp
from services.inventory.db.documents import CustomerReturn, StoredCountSheet, StoredTransfer
from services.inventory.db.planning import StoredPlan
from services.inventory.db.receipts import StoredReceipt
from services.inventory.domain.catalogue import Bin, Sku, Warehouse, WarehouseKind
from services.inventory.domain.holds import CustomerHold, HoldPolicy
from services.inventory.domain.labels import Label
from services.inventory.domain.photo_samples import SampleLoan
from services.inventory.domain.replenishment import StockLimits
from services.inventory.domain.transfers import KeeperSignature
from services.inventory.service.catalogue import BinStock, StockLevel
from services.inventory.service.ledger import CostFigures, Verification, WarehouseValue
from services.inventory.service.planning import MaterialAlert
from services.inventory.service.receiving import missing_signatures
from services.inventory.service.reservations import ReservationView
from services.inventory.service.supplier_returns import ListedReturn


def timestamp(stamp: timestamp_pb2.Timestamp, field: str, present: bool = True) -> datetime | None:
    """A request Timestamp as an aware datetime (None when unset); InvalidArgument naming
    `field` when it is out of range (negative nanos, before year 1…)."""
    if not present:
        return None
    try:
        value = stamp.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError) as exc:
        raise InvalidArgument.for_field(field, "is not a valid timestamp") from exc
    if not 0 <= stamp.nanos < 1_000_000_000:
        raise InvalidArgument.for_field(field, "is not a valid timestamp")
    return value


def fixed(value: Fraction | Decimal | None, places: int) -> str:
    return "" if value is None else str(quantize_half_up(value, places))


def warehouse_kind(kind: int) -> WarehouseKind | None:
    """A proto Warehouse.Kind as the domain enum (None for KIND_UNSPECIFIED)."""
    if kind == res.Warehouse.KIND_UNSPECIFIED:
        return None
    return WarehouseKind(res.Warehouse.Kind.Name(kind))


def warehouse(value: Warehouse) -> res.Warehouse:
    return res.Warehouse(
        code=value.code,
        name=value.name,
        kind=str(value.kind),
        create_time=to_timestamp(value.created_at),
    )


def bin_(value: Bin) -> cat.Bin:
    return cat.Bin(
        warehouse_code=value.warehouse_code,
        bin_code=value.bin_code,
        description=value.description,
        create_time=to_timestamp(value.created_at),
    )


def bin_stock(value: BinStock) -> cat.BinStock:
    return cat.BinStock(
        warehouse_code=value.warehouse_code,
        bin_code=value.bin_code,
        sku_code=value.sku_code,
        quantity=value.quantity,
    )


def limits(value: StockLimits) -> res.StockLimits:
    return res.StockLimits(
        safety_stock=value.safety_stock,
        reorder_point=value.reorder_point,
        max_stock=value.max_stock,
    )


def from_limits(value: res.StockLimits) -> StockLimits:
    def get(name: str) -> int | None:
        return getattr(value, name) if value.HasField(name) else None

    return StockLimits(get("safety_stock"), get("reorder_point"), get("max_stock"))


def sku(value: Sku) -> res.Sku:
    return res.Sku(
        sku_code=value.sku_code,
        style_code=value.style_code,
        color=value.color,
        size=value.size,
        name=value.name,
        unit_cost=to_money(value.unit_cost),
        category=value.category,
        key_product=value.key_product,
        packaging_material=value.packaging_material,
        create_time=to_timestamp(value.created_at),
        update_time=to_timestamp(value.updated_at),
        stock_limits=limits(value.limits),
    )


def from_sku(sku_code: str, value: res.Sku) -> Sku:
    if value.sku_code and value.sku_code != sku_code:
        raise InvalidArgument.for_field(
            "sku.sku_code", f"must be empty or equal the path's sku_code {sku_code}"
        )
    return Sku(
        sku_code=sku_code,
        style_code=value.style_code,
        color=value.color,
        size=value.size,
        name=value.name,
        unit_cost=from_money(value.unit_cost),
        category=value.category,
        key_product=value.key_product,
        packaging_material=value.packaging_material,
    )


def stock_level(value: StockLevel) -> res.StockLevel:
    return res.StockLevel(
        sku_code=value.sku_code,
        on_hand=value.on_hand,
        reserved=value.reserved,
        available=value.available,
        warehouses=[
            res.WarehouseStock(
                warehouse_code=w.warehouse_code,
                kind=str(w.kind),
                on_hand=w.on_hand,
            )
            for w in value.warehouses
        ],
    )


def receipt(value: StoredReceipt) -> res.Receipt:
    domain = value.receipt
    return res.Receipt(
        receipt_id=domain.receipt_id,
        warehouse_code=domain.warehouse_code,
        supplier=domain.supplier,
        status=str(domain.status),
        lines=[
            res.ReceiptLine(
                sku_code=line.sku_code,
                quantity=line.quantity,
                sample_size=line.sample_size,
                qc_state=str(line.state),
                inspected=line.inspected,
                defective=line.defective,
                good=line.good,
                lot_id=booking.lot_id,
                unit_cost=to_money(booking.unit_cost),
            )
            for line, booking in zip(domain.lines, value.bookings, strict=True)
        ],
        create_time=to_timestamp(value.created_at),
        complete_time=to_timestamp(domain.completed_at),
        supplier_kind=str(value.supplier_kind),
        signatures=[
            res.Signature(
                document=str(s.document).upper(),
                role=_role_name(str(s.role)),
                signer_id=s.signer_id,
                sign_time=to_timestamp(s.signed_at),
            )
            for s in domain.signatures.signatures
        ],
        missing_signatures=[
            res.Signature(
                document=str(document).upper(),
                role=_role_name(str(role)),
            )
            for document, role in missing_signatures(domain)
        ],
        created_by=value.created_by,
    )


_ROLE_NAMES = {
    "warehouse_supervisor": "WAREHOUSE_SUPERVISOR",
    "warehouse_keeper": "WAREHOUSE_KEEPER",
    "qc_inspector": "QC_INSPECTOR",
}


def _role_name(role: str) -> str:
    return _ROLE_NAMES[role]


def signature_role(role: int) -> str:
    """The domain Role value of a proto Signature.Role."""
    name = res.Signature.Role.Name(role)
    return {v: k for k, v in _ROLE_NAMES.items()}[name]


def labels(receipt_id: str, values: tuple[Label, ...]) -> rcv.ReceiptLabels:
    return rcv.ReceiptLabels(
        receipt_id=receipt_id,
        labels=[
            rcv.Label(
                receipt_id=x.receipt_id,
                sku_code=x.sku_code,
                style_code=x.style_code,
                color=x.colour,
                size=x.size,
                lot_id=x.lot_id,
                quantity=x.quantity,
                barcode_text=x.barcode_text,
                copies=x.copies,
            )
            for x in values
        ],
    )


def reservation(value: ReservationView) -> res.Reservation:
    domain = value.reservation
    return res.Reservation(
        reservation_id=domain.reservation_id,
        state=str(domain.state),
        lines=[
            res.Reservation.Line(sku_code=line.sku_code, quantity=line.quantity)
            for line in domain.lines
        ],
        expire_time=to_timestamp(domain.expires_at),
        create_time=to_timestamp(domain.created_at),
        cost_of_goods=to_money(value.cost_of_goods),
        close_time=to_timestamp(domain.closed_at),
    )


def ledger_entry(row: Any) -> res.LedgerEntry:
    value = None
    cost = None
    if row.value_currency is not None:
        value = money_pb2.Money(
            currency_code=row.value_currency, amount_minor=row.value_delta_minor
        )
        cost = money_pb2.Money(
            currency_code=row.value_currency, amount_minor=abs(row.value_delta_minor)
        )
    return res.LedgerEntry(
        entry_id=row.id,
        kind=row.kind,
        sku_code=row.sku_code,
        warehouse_code=row.warehouse_code or "",
        bin_code=row.bin_code or "",
        lot_id=row.lot_id or "",
        on_hand_delta=row.on_hand_delta,
        reserved_delta=row.reserved_delta,
        document_type=row.document_type,
        document_id=row.document_id,
        cost=cost,
        actor=row.actor,
        create_time=to_timestamp(row.created_at),
        reverses_entry_id=row.reverses_entry_id or 0,
        reason=row.reason,
        quantity=row.quantity,
        value_delta=value,
    )


def verification(value: Verification) -> pb.LedgerVerification:
    return pb.LedgerVerification(
        consistent=value.consistent,
        entries_checked=value.entries_checked,
        skus_checked=value.skus_checked,
        discrepancies=[
            pb.LedgerVerification.Discrepancy(
                check=d.check,
                sku_code=d.sku_code,
                warehouse_code=d.warehouse_code,
                expected=int(d.expected),
                actual=int(d.actual),
                currency_code=d.currency_code,
            )
            for d in value.discrepancies
        ],
        check_time=to_timestamp(value.checked_at),
    )


def supplier_return(value: ListedReturn) -> rcv.SupplierReturn:
    entry = value.stored.entry
    return rcv.SupplierReturn(
        return_id=entry.return_id,
        supplier=entry.supplier,
        supplier_kind=str(entry.supplier_kind),
        sku_code=entry.sku_code,
        quantity=entry.quantity,
        listed_on=date_text(entry.listed_on),
        due_on=date_text(entry.due_on()),
        reason=entry.reason,
        warehouse_code=entry.warehouse_code or "",
        source_document_type=value.stored.source_document_type,
        source_document_id=value.stored.source_document_id,
        cleared_on=date_text(entry.cleared_on),
        cleared_by=value.stored.cleared_by or "",
        overdue=value.overdue,
    )


def stock_return(value: CustomerReturn) -> rcv.StockReturn:
    return rcv.StockReturn(
        return_id=value.return_id,
        lines=[
            rcv.ReturnLine(
                sku_code=line.sku_code,
                quantity=line.quantity,
                sellable=line.sellable,
                warehouse_code=line.warehouse_code,
                lot_id=line.lot_id,
                value=to_money(line.value),
            )
            for line in value.lines
        ],
        reservation_id=value.reservation_id,
        reason=value.reason,
        created_by=value.created_by,
        create_time=to_timestamp(value.created_at),
    )


def _keeper(value: KeeperSignature | None) -> mov.KeeperSignature | None:
    if value is None:
        return None
    return mov.KeeperSignature(
        employee_id=value.employee_id,
        warehouse_code=value.warehouse_code,
        sign_time=to_timestamp(value.signed_at),
    )


def transfer(value: StoredTransfer) -> mov.Transfer:
    domain = value.transfer
    return mov.Transfer(
        transfer_id=domain.transfer_id,
        source_warehouse_code=domain.source_warehouse_code,
        destination_warehouse_code=domain.destination_warehouse_code,
        status=str(domain.status),
        lines=[
            mov.Transfer.Line(
                sku_code=line.sku_code,
                requested=line.requested,
                shipped=line.shipped,
                received=line.received,
                shortfall=line.shortfall if domain.received_by is not None else 0,
            )
            for line in domain.lines
        ],
        requested_by=_keeper(domain.requested_by),
        shipped_by=_keeper(domain.shipped_by),
        received_by=_keeper(domain.received_by),
        cancel_time=to_timestamp(domain.cancelled_at),
        cancel_reason=domain.cancel_reason,
    )


def count_sheet(value: StoredCountSheet, status: str) -> mov.CountSheet:
    sheet = value.sheet
    return mov.CountSheet(
        sheet_id=sheet.sheet_id,
        warehouse_code=sheet.warehouse_code,
        status=status,
        lines=[
            mov.CountSheet.Line(
                sku_code=line.sku_code,
                bin_code=line.bin_code,
                expected=line.expected,
                counted=line.counted,
                damaged=line.damaged,
                variance=line.variance,
                counted_by=line.counted_by or "",
                reason=line.reason,
            )
            for line in sheet.lines
        ],
        plan=value.plan,
        created_by=value.created_by,
        create_time=to_timestamp(value.created_at),
        approved_by=sheet.approved_by or "",
        post_time=to_timestamp(sheet.posted_at),
    )


def sample_loan(value: SampleLoan, today: date) -> loans.SampleLoan:
    return loans.SampleLoan(
        document_id=value.document_id,
        borrower_id=value.borrower_id,
        warehouse_code=value.warehouse_code,
        sku_code=value.sku_code,
        style_code=value.style_code,
        color=value.colour,
        size=value.size,
        quantity=value.quantity,
        borrowed_on=date_text(value.borrowed_on),
        due_on=date_text(value.due_on),
        extensions=value.extensions,
        status=str(value.status),
        closed_on=date_text(value.closed_on),
        overdue=value.is_overdue(today),
    )


def hold(value: CustomerHold, policy: HoldPolicy) -> loans.CustomerHold:
    return loans.CustomerHold(
        hold_id=value.hold_id,
        customer_ref=value.customer_ref,
        sku_code=value.sku_code,
        warehouse_code=value.warehouse_code,
        quantity=value.quantity,
        created_by=value.created_by,
        create_time=to_timestamp(value.created_at),
        keep_until=to_timestamp(value.keep_until),
        expire_time=to_timestamp(value.expires_at(policy)),
        status=str(value.status),
        close_time=to_timestamp(value.closed_at),
    )


def replenishment_plan(value: StoredPlan) -> plan.ReplenishmentPlan:
    domain = value.plan
    message = plan.ReplenishmentPlan(
        plan_id=value.plan_id,
        plan_date=date_text(value.plan_date),
        status=value.status,
        created_by=value.created_by,
        create_time=to_timestamp(value.created_at),
    )
    if domain is None:
        return message
    message.decided_by = domain.decided_by or ""
    decided_at = to_timestamp(domain.decided_at)
    if decided_at is not None:
        message.decide_time.CopyFrom(decided_at)
    message.decision_note = domain.decision_note
    for line in domain.lines:
        context = value.context.get(line.sku_code)
        message.lines.append(
            plan.ReplenishmentPlan.Line(
                sku_code=line.sku_code,
                quantity=line.quantity,
                reason=str(line.reason),
                daily_velocity=fixed(line.daily_velocity, 4),
                cover_days=fixed(line.cover_days, 2),
                order_days=line.order_days,
                capped_by_max=line.capped_by_max,
                key_product=context.key_product if context else False,
                available=context.available if context else 0,
                on_order=context.on_order if context else 0,
            )
        )
    return message


def packaging_alert(value: MaterialAlert) -> plan.PackagingAlert:
    alert = value.alert
    return plan.PackagingAlert(
        sku_code=alert.material_code,
        reasons=[str(r) for r in sorted(alert.reasons)],
        on_hand=value.on_hand,
        cover_days=fixed(alert.cover_days, 2),
        promotion_on=date_text(alert.promotion_on),
    )


def warehouse_value(value: WarehouseValue) -> plan.StockValue.WarehouseValue:
    return plan.StockValue.WarehouseValue(
        warehouse_code=value.warehouse_code,
        on_hand=value.on_hand,
        values=[to_money(m) for m in value.values],
    )


def cost_figures(value: CostFigures) -> plan.CostOfGoodsIssued.CurrencyFigures:
    return plan.CostOfGoodsIssued.CurrencyFigures(
        cost_of_goods_issued=to_money(value.cost_of_goods_issued),
        opening_value=to_money(value.opening_value),
        closing_value=to_money(value.closing_value),
        turnover="" if value.turnover is None else str(value.turnover),
        units_issued=value.units_issued,
    )
