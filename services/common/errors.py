"""Errors that use cases and domain code raise; one interceptor maps them to gRPC status codes.

Pure module (no grpc import) so domain layers may raise these directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldViolation:
    """One offending input field: `field` is the request path (e.g. `lines[2].quantity`)."""

    field: str
    description: str


@dataclass
class DomainError(Exception):
    """Base of every expected failure. `reason` is a stable UPPER_SNAKE machine code."""

    message: str
    reason: str = ""
    violations: list[FieldViolation] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    code = "UNKNOWN"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class InvalidArgument(DomainError):
    """The request itself is malformed (HTTP 400). Name the field in `violations`."""

    code = "INVALID_ARGUMENT"

    @classmethod
    def for_field(
        cls, field_path: str, description: str, *, reason: str = "INVALID_FIELD"
    ) -> InvalidArgument:
        """One offending field; pass a `reason` more specific than INVALID_FIELD where useful."""
        return cls(
            f"{field_path}: {description}",
            reason=reason,
            violations=[FieldViolation(field_path, description)],
        )


class NotFound(DomainError):
    """An addressed resource does not exist (HTTP 404)."""

    code = "NOT_FOUND"


class AlreadyExists(DomainError):
    """A unique key or an idempotency key reused with a different payload (HTTP 409)."""

    code = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    """A business rule forbids the action in the current state (HTTP 400); say what to do."""

    code = "FAILED_PRECONDITION"


class PermissionDenied(DomainError):
    """Authenticated, but not allowed (HTTP 403)."""

    code = "PERMISSION_DENIED"


class Unauthenticated(DomainError):
    """Missing, invalid or expired credentials (HTTP 401)."""

    code = "UNAUTHENTICATED"


class Aborted(DomainError):
    """A concurrent change won; the client may retry (HTTP 409)."""

    code = "ABORTED"


class ResourceExhausted(DomainError):
    """A limit was hit: rate, size, capacity (HTTP 429)."""

    code = "RESOURCE_EXHAUSTED"


class Unavailable(DomainError):
    """A dependency could not be reached; safe to retry idempotent calls (HTTP 503)."""

    code = "UNAVAILABLE"
