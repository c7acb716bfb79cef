"""Builds the performance service from settings."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from storeops.performance.v1 import performance_service_pb2 as pb
from storeops.performance.v1 import performance_service_pb2_grpc as pb_grpc

from services.common.config import Settings
from services.common.peers import connect_peers
from services.common.server import Wiring
from services.performance.api.servicer import PerformanceServicer

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


async def wire(settings: Settings, engine: AsyncEngine) -> Wiring:
    peers = connect_peers(settings)
    servicer = PerformanceServicer(engine)
    return Wiring(
        services=[pb.DESCRIPTOR.services_by_name["PerformanceService"]],
        register=lambda server: pb_grpc.add_PerformanceServiceServicer_to_server(servicer, server),
        key_source=peers.key_source,
        close=[peers.close],
    )
