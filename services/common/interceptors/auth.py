"""Verifies the bearer token and checks the RPC's declared permission (fail closed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import grpc

from services.common.auth.policy import MethodPolicy, is_public_infrastructure
from services.common.auth.tokens import TokenVerifier
from services.common.context import principal_var
from services.common.errors import PermissionDenied, Unauthenticated
from services.common.interceptors import Behavior, UnaryInterceptor


def bearer_token(context: grpc.aio.ServicerContext) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            scheme, _, token = str(value).partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            break
    raise Unauthenticated(
        "missing bearer token: send `authorization: Bearer <token>`", reason="TOKEN_MISSING"
    )


class AuthInterceptor(UnaryInterceptor):
    def __init__(self, verifier: TokenVerifier, policies: Mapping[str, MethodPolicy]) -> None:
        super().__init__()
        self._verifier = verifier
        self._policies = policies

    def wrap(self, method: str, behavior: Behavior) -> Behavior:
        if is_public_infrastructure(method):
            return behavior
        policy = self._policies.get(method)
        if policy is not None and policy.public:
            return behavior
        permission = policy.permission if policy is not None else ""
        verifier = self._verifier

        async def authorized(request: Any, context: grpc.aio.ServicerContext) -> Any:
            principal = await verifier.verify(bearer_token(context))
            if not permission or not principal.can(permission):
                raise PermissionDenied(
                    f"{principal.subject} may not call {method.rsplit('/', 1)[-1]}: "
                    f"needs permission {permission or '(none declared)'}",
                    reason="PERMISSION_MISSING",
                    metadata={"permission": permission},
                )
            principal_var.set(principal)
            return await behavior(request, context)

        return authorized
