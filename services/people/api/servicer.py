"""PeopleService: protobuf ↔ use cases, nothing else (one mixin per area)."""

from __future__ import annotations

from storeops.people.v1 import people_service_pb2_grpc as pb_grpc

from services.people.api.access import AccessRpcs
from services.people.api.attendance import AttendanceRpcs
from services.people.api.organisation import OrganisationRpcs
from services.people.api.training import TrainingRpcs


class PeopleServicer(
    AccessRpcs, OrganisationRpcs, TrainingRpcs, AttendanceRpcs, pb_grpc.PeopleServiceServicer
):
    """Every RPC of storeops.people.v1.PeopleService."""
