"""Who does what in the warehouse, and which documents carry signatures (seed 003 篇2/篇3).

Role values are the lower_snake names the people service puts in tokens; the handler maps the
caller's token roles onto these before calling a domain rule.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Positions whose signature or approval an inventory rule asks for."""

    WAREHOUSE_SUPERVISOR = "warehouse_supervisor"  # 仓库主管
    WAREHOUSE_KEEPER = "warehouse_keeper"  # 仓库管理员 / 保管人 / 仓管员
    QC_INSPECTOR = "qc_inspector"  # 质检员
    STATISTICIAN = "stock_statistician"  # 统计员
    RECEIVER = "receiver"  # 收货人员
    GM_OFFICE = "gm_office"  # 总经办
    PURCHASING = "purchasing"  # 选购部 / 采购部
    FINANCE = "finance"  # 财务部
    PRODUCT = "product"  # 产品部 (borrows photo samples)
    SALES = "sales"  # 销售 (creates customer holds)


class DocumentKind(StrEnum):
    """Warehouse documents (单据); only signed ones are posted to the books (seed 003 篇2 7.(2))."""

    INBOUND = "inbound"  # 入库单
    INSPECTION = "inspection"  # QC's inspection opinion
    TRANSFER = "transfer"  # 调拨单
    MOVE = "move"  # 移库单 / 移仓单
    SCRAP = "scrap"  # 拨废单
    COUNT_SHEET = "count_sheet"  # 盘点单
    SUPPLIER_RETURN = "supplier_return"  # 次品退厂单
    SAMPLE_LOAN = "sample_loan"  # photo-sample 调拨单
