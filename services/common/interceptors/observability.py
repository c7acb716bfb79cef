"""Request ids, deadlines, the JSON access log and Prometheus metrics for every call."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import grpc

from services.common.auth.policy import is_public_infrastructure
from services.common.context import deadline_var, principal_var, request_id_var
from services.common.drain import Drain
from services.common.ids import new_id
from services.common.interceptors import Behavior, UnaryInterceptor
from services.common.metrics import CallMetrics

access_log = logging.getLogger("storeops.access")


def _code_name(context: grpc.aio.ServicerContext) -> str:
    code = context.code()
    if code is None:
        return "UNKNOWN"
    return str(code.name) if isinstance(code, grpc.StatusCode) else str(code)


class ObservabilityInterceptor(UnaryInterceptor):
    def __init__(self, metrics: CallMetrics, drain: Drain, log_calls: bool = True) -> None:
        super().__init__()
        self._metrics = metrics
        self._drain = drain
        self._log_calls = log_calls

    def wrap(self, method: str, behavior: Behavior) -> Behavior:
        metrics = self._metrics.for_method(method)
        log_calls = self._log_calls
        drain = self._drain
        # Health checks keep answering (NOT_SERVING) while the server drains.
        refuse_when_draining = not is_public_infrastructure(method)

        async def observed(request: Any, context: grpc.aio.ServicerContext) -> Any:
            if drain.draining and refuse_when_draining:
                metrics.observe("UNAVAILABLE", 0.0)
                await context.abort(grpc.StatusCode.UNAVAILABLE, "server shutting down; retry")
            drain.enter()
            request_id = ""
            for key, value in context.invocation_metadata() or ():
                if key == "x-request-id":
                    request_id = str(value)[:128]
                    break
            rid_token = request_id_var.set(request_id or new_id()[:16])
            remaining = context.time_remaining()
            deadline_token = deadline_var.set(
                time.monotonic() + remaining if remaining is not None else None
            )
            principal_token = principal_var.set(None)
            started = time.perf_counter()
            metrics.in_flight.inc()
            code = "OK"
            try:
                return await behavior(request, context)
            except asyncio.CancelledError:
                code = "CANCELLED"
                raise
            except BaseException:
                code = _code_name(context)
                raise
            finally:
                drain.leave()
                elapsed = time.perf_counter() - started
                metrics.in_flight.dec()
                metrics.observe(code, elapsed)
                if log_calls:
                    principal = principal_var.get()
                    access_log.info(
                        "call",
                        extra={
                            "method": method,
                            "code": code,
                            "ms": round(elapsed * 1000, 2),
                            "caller": principal.subject if principal else None,
                        },
                    )
                principal_var.reset(principal_token)
                deadline_var.reset(deadline_token)
                request_id_var.reset(rid_token)

        return observed
