"""Domain errors → canonical status codes with `google.rpc.Status` details. Anything unexpected
becomes INTERNAL with an error id that is logged with the traceback; no stack trace reaches the
client. A database outage becomes UNAVAILABLE (safe to retry)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from services.common.errors import DomainError
from services.common.fastsql import OUTAGE_ERRORS
from services.common.ids import new_id
from services.common.interceptors import Behavior, UnaryInterceptor

log = logging.getLogger("storeops.errors")
DOMAIN = "storeops"


def _pack(message: Any) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def status_for(error: DomainError) -> status_pb2.Status:
    code = getattr(code_pb2, error.code)
    details = [
        _pack(
            error_details_pb2.ErrorInfo(
                reason=error.reason or error.code, domain=DOMAIN, metadata=error.metadata
            )
        )
    ]
    if error.violations:
        details.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(
                            field=v.field, description=v.description
                        )
                        for v in error.violations
                    ]
                )
            )
        )
    return status_pb2.Status(code=code, message=error.message, details=details)


async def abort_with(context: grpc.aio.ServicerContext, status: status_pb2.Status) -> NoReturn:
    await context.abort(
        grpc.StatusCode[code_pb2.Code.Name(status.code)],
        status.message,
        trailing_metadata=(("grpc-status-details-bin", status.SerializeToString()),),
    )
    raise AssertionError("abort returned")  # pragma: no cover - abort always raises


def _is_database_outage(exc: BaseException) -> bool:
    if isinstance(exc, (PoolTimeoutError, ConnectionError, OSError, *OUTAGE_ERRORS)):
        return True
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or type(exc.orig).__name__ in {
            "OperationalError",
            "AdminShutdown",
            "CannotConnectNow",
        }
    return False


class ErrorInterceptor(UnaryInterceptor):
    def wrap(self, method: str, behavior: Behavior) -> Behavior:
        async def mapped(request: Any, context: grpc.aio.ServicerContext) -> Any:
            try:
                return await behavior(request, context)
            except DomainError as error:
                await abort_with(context, status_for(error))
            except (asyncio.CancelledError, grpc.aio.AbortError):
                raise
            except NotImplementedError:
                # Generated servicer base classes raise this for RPCs a service does not serve.
                await abort_with(
                    context,
                    status_pb2.Status(
                        code=code_pb2.UNIMPLEMENTED, message=f"{method} is not implemented"
                    ),
                )
            except Exception as exc:
                error_id = new_id()[:16]
                if _is_database_outage(exc):
                    log.warning(
                        "database unavailable", extra={"error_id": error_id, "method": method}
                    )
                    status = status_pb2.Status(
                        code=code_pb2.UNAVAILABLE,
                        message=f"database unavailable, retry later (error id {error_id})",
                    )
                else:
                    log.exception(
                        "unexpected error", extra={"error_id": error_id, "method": method}
                    )
                    status = status_pb2.Status(
                        code=code_pb2.INTERNAL, message=f"internal error (error id {error_id})"
                    )
                await abort_with(context, status)

        return mapped
