"""PeopleService: protobuf ↔ use cases, nothing else."""

from __future__ import annotations

import grpc
from google.protobuf import timestamp_pb2
from storeops.people.v1 import people_service_pb2 as pb
from storeops.people.v1 import people_service_pb2_grpc as pb_grpc

from services.people.db.unit_of_work import PeopleDatabase
from services.people.service import tokens
from services.people.service.keystore import KeyStore
from services.people.service.token_issuer import TokenIssuer


def _expiry(seconds: int) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=seconds)


class PeopleServicer(pb_grpc.PeopleServiceServicer):
    def __init__(self, db: PeopleDatabase, keys: KeyStore, issuer: TokenIssuer) -> None:
        self._db = db
        self._keys = keys
        self._issuer = issuer

    async def GetJwks(
        self, request: pb.GetJwksRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetJwksResponse:
        return pb.GetJwksResponse(keys=[pb.Jwk(**jwk) for jwk in self._keys.jwks()])

    async def IssueToken(
        self, request: pb.IssueTokenRequest, context: grpc.aio.ServicerContext
    ) -> pb.IssueTokenResponse:
        issued = await tokens.issue_employee_token(
            self._db,
            self._issuer,
            tokens.IssueEmployeeToken(
                request.employee_code, tuple(request.roles), request.ttl_seconds
            ),
        )
        return pb.IssueTokenResponse(
            access_token=issued.token,
            expire_time=_expiry(issued.expires_at),
            permissions=list(issued.permissions),
        )

    async def CreateServiceToken(
        self, request: pb.CreateServiceTokenRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateServiceTokenResponse:
        issued = await tokens.create_service_token(
            self._db, self._issuer, request.client_id, request.client_secret
        )
        return pb.CreateServiceTokenResponse(
            access_token=issued.token, expire_time=_expiry(issued.expires_at)
        )
