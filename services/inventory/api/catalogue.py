"""Servicer part: warehouses, bins, SKUs, stock levels, put-away."""

from __future__ import annotations

import grpc
from storeops.inventory.v1 import catalogue_pb2 as cat
from storeops.inventory.v1 import inventory_service_pb2 as pb
from storeops.inventory.v1 import resources_pb2 as res

from services.inventory.api import convert
from services.inventory.api.base import ServicerBase
from services.inventory.domain.catalogue import Bin, Warehouse
from services.inventory.service import catalogue, counts
from services.inventory.service.caller import Caller
from services.inventory.settings import UNASSIGNED_BIN


class CatalogueApi(ServicerBase):
    async def CreateWarehouse(
        self, request: pb.CreateWarehouseRequest, context: grpc.aio.ServicerContext
    ) -> res.Warehouse:
        given = request.warehouse
        kind = convert.warehouse_kind(given.kind)
        assert kind is not None  # the proto rules refuse KIND_UNSPECIFIED
        created = await catalogue.create_warehouse(
            self._db, Warehouse(given.code, given.name, kind)
        )
        return convert.warehouse(created)

    async def GetWarehouse(
        self, request: cat.GetWarehouseRequest, context: grpc.aio.ServicerContext
    ) -> res.Warehouse:
        return convert.warehouse(await catalogue.get_warehouse(self._db, request.warehouse_code))

    async def ListWarehouses(
        self, request: cat.ListWarehousesRequest, context: grpc.aio.ServicerContext
    ) -> cat.ListWarehousesResponse:
        page = await catalogue.list_warehouses(
            self._db, convert.warehouse_kind(request.kind), request.page_size, request.page_token
        )
        return cat.ListWarehousesResponse(
            warehouses=[convert.warehouse(w) for w in page.items],
            next_page_token=page.next_page_token,
        )

    async def UpdateWarehouse(
        self, request: cat.UpdateWarehouseRequest, context: grpc.aio.ServicerContext
    ) -> res.Warehouse:
        renamed = await catalogue.rename_warehouse(self._db, request.warehouse_code, request.name)
        return convert.warehouse(renamed)

    async def CreateBin(
        self, request: cat.CreateBinRequest, context: grpc.aio.ServicerContext
    ) -> cat.Bin:
        created = await catalogue.create_bin(
            self._db,
            Bin(request.warehouse_code, request.bin.bin_code, request.bin.description),
        )
        return convert.bin_(created)

    async def ListBins(
        self, request: cat.ListBinsRequest, context: grpc.aio.ServicerContext
    ) -> cat.ListBinsResponse:
        page = await catalogue.list_bins(
            self._db, request.warehouse_code, request.page_size, request.page_token
        )
        return cat.ListBinsResponse(
            bins=[convert.bin_(b) for b in page.items], next_page_token=page.next_page_token
        )

    async def PutAwayStock(
        self, request: cat.PutAwayStockRequest, context: grpc.aio.ServicerContext
    ) -> cat.BinStock:
        moved = await catalogue.put_away(
            self._db,
            catalogue.PutAway(
                request.warehouse_code,
                request.bin_code,
                request.sku_code,
                request.quantity,
                request.from_bin_code or UNASSIGNED_BIN,
            ),
            Caller.current(),
            self._clock(),
        )
        return convert.bin_stock(moved)

    async def ListBinStock(
        self, request: cat.ListBinStockRequest, context: grpc.aio.ServicerContext
    ) -> cat.ListBinStockResponse:
        page = await catalogue.list_bin_stock(
            self._db,
            request.warehouse_code,
            request.bin_code,
            request.sku_code,
            request.page_size,
            request.page_token,
        )
        return cat.ListBinStockResponse(
            stock=[convert.bin_stock(s) for s in page.items], next_page_token=page.next_page_token
        )

    async def UpsertSku(
        self, request: pb.UpsertSkuRequest, context: grpc.aio.ServicerContext
    ) -> res.Sku:
        saved = await catalogue.upsert_sku(
            self._db, convert.from_sku(request.sku_code, request.sku)
        )
        return convert.sku(saved)

    async def GetSku(
        self, request: cat.GetSkuRequest, context: grpc.aio.ServicerContext
    ) -> res.Sku:
        return convert.sku(await catalogue.get_sku(self._db, request.sku_code))

    async def ListSkus(
        self, request: cat.ListSkusRequest, context: grpc.aio.ServicerContext
    ) -> cat.ListSkusResponse:
        page = await catalogue.list_skus(
            self._db,
            catalogue.SkuFilter(
                style_code=request.style_code,
                category=request.category,
                key_product=request.key_product if request.HasField("key_product") else None,
                packaging_material=(
                    request.packaging_material if request.HasField("packaging_material") else None
                ),
            ),
            request.page_size,
            request.page_token,
        )
        return cat.ListSkusResponse(
            skus=[convert.sku(s) for s in page.items], next_page_token=page.next_page_token
        )

    async def UpdateStockLimits(
        self, request: cat.UpdateStockLimitsRequest, context: grpc.aio.ServicerContext
    ) -> res.Sku:
        updated = await catalogue.set_stock_limits(
            self._db, request.sku_code, convert.from_limits(request.limits)
        )
        return convert.sku(updated)

    async def ScrapStock(
        self, request: pb.ScrapStockRequest, context: grpc.aio.ServicerContext
    ) -> res.StockLevel:
        await counts.scrap_stock(
            self._db,
            counts.ScrapStock(
                request.scrap_id,
                request.warehouse_code,
                request.sku_code,
                request.quantity,
                request.reason,
                request.bin_code,
            ),
            Caller.current(),
            self._clock(),
        )
        return convert.stock_level(await catalogue.get_stock_level(self._db, request.sku_code))

    async def GetStockLevel(
        self, request: pb.GetStockLevelRequest, context: grpc.aio.ServicerContext
    ) -> res.StockLevel:
        return convert.stock_level(await catalogue.get_stock_level(self._db, request.sku_code))
