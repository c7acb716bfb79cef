"""Prometheus metrics per service: calls and latency by method and code, calls in flight."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class MethodMetrics:
    """The metric children of one method, bound once so a call only adds numbers."""

    def __init__(self, owner: CallMetrics, method: str) -> None:
        self._owner = owner
        self._method = method
        self.in_flight = owner.in_flight.labels(owner.service, method)
        self._latency = owner.latency.labels(owner.service, method)
        self._handled: dict[str, Counter] = {}

    def observe(self, code: str, seconds: float) -> None:
        counter = self._handled.get(code)
        if counter is None:
            counter = self._owner.handled.labels(self._owner.service, self._method, code)
            self._handled[code] = counter
        counter.inc()
        self._latency.observe(seconds)


class CallMetrics:
    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.service = service
        self.registry = registry or CollectorRegistry()
        self.handled = Counter(
            "storeops_grpc_handled",
            "gRPC calls handled, by method and status code",
            ["service", "method", "code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "storeops_grpc_latency_seconds",
            "gRPC call latency in seconds",
            ["service", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "storeops_grpc_in_flight",
            "gRPC calls in progress",
            ["service", "method"],
            registry=self.registry,
        )

    def for_method(self, method: str) -> MethodMetrics:
        return MethodMetrics(self, method)

    def serve(self, port: int, host: str = "0.0.0.0") -> None:  # noqa: S104 - scraped in-cluster
        if port > 0:
            start_http_server(port, addr=host, registry=self.registry)
