"""Server interceptors, outermost first: observability, errors, auth, validation (composed into
one grpc interceptor by `Chain`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc

Behavior = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]
Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]]


class UnaryInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Wraps unary-unary handlers once per method (cached) with `wrap(method, behavior)`.

    Streaming handlers (health Watch, reflection) pass through untouched."""

    def __init__(self) -> None:
        self._wrapped: dict[tuple[str, int], grpc.RpcMethodHandler] = {}

    def wrap(self, method: str, behavior: Behavior) -> Behavior:
        raise NotImplementedError

    async def intercept_service(
        self, continuation: Continuation, details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        key = (details.method, id(handler))
        wrapped = self._wrapped.get(key)
        if wrapped is None:
            wrapped = grpc.unary_unary_rpc_method_handler(
                self.wrap(details.method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
            self._wrapped[key] = wrapped
        return wrapped


class Chain(UnaryInterceptor):
    """Several concerns applied as ONE grpc interceptor: each concern's `wrap` is composed once per
    method, so a call pays one `intercept_service` instead of one per concern. `concerns` are
    listed outermost first."""

    def __init__(self, *concerns: UnaryInterceptor) -> None:
        super().__init__()
        self._concerns = concerns

    def wrap(self, method: str, behavior: Behavior) -> Behavior:
        for concern in reversed(self._concerns):
            behavior = concern.wrap(method, behavior)
        return behavior
