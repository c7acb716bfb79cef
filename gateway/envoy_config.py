"""Builds the Envoy bootstrap config (a plain dict, written as YAML) from the service catalog.

One listener serves gRPC (h2c) and REST/JSON: the gRPC-JSON transcoder turns REST into gRPC first,
so every later filter and route sees gRPC paths only. jwt_authn then checks the token (public RPCs
exempt), and the router sends each RPC to its service's health-checked HTTP/2 cluster with the
method's timeout and, for idempotent methods only, retries on UNAVAILABLE.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.catalog import SLOW_METHOD_PREFIXES, Method, Service
from gateway.topology import Topology

HEALTH_PREFIX = "/grpc.health.v1.Health/"
SUBJECT_HEADER = "x-storeops-subject"
JWT_PROVIDER = "storeops"
# HTTP status of a local reply → google.rpc.Code, so REST clients always get a JSON Status.
LOCAL_REPLY_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 413: 8, 429: 8, 503: 14, 504: 4}


@dataclass(frozen=True)
class GatewayOptions:
    jwt_issuer: str = "storeops-people"
    jwt_audience: str = "storeops"
    default_timeout_seconds: float = 15.0
    slow_timeout_seconds: float = 60.0
    max_request_bytes: int = 4 * 1024 * 1024
    max_response_bytes: int = 16 * 1024 * 1024
    # Per Envoy instance: a burst of `rate_limit_burst`, refilled at `rate_limit_per_second`.
    rate_limit_burst: int = 20_000
    rate_limit_per_second: int = 10_000
    # Per caller (the token's subject), so one flooding client cannot starve the others.
    client_rate_limit_burst: int = 10_000
    client_rate_limit_per_second: int = 5_000
    upstream_max_concurrent_streams: int = 16
    access_log: bool = True


def _duration(seconds: float) -> str:
    return f"{seconds:g}s"


def _typed(type_name: str, **fields: Any) -> dict[str, Any]:
    return {"@type": f"type.googleapis.com/{type_name}", **fields}


def _route_for(method: Method, upstream: str, options: GatewayOptions) -> dict[str, Any]:
    slow = method.name.startswith(SLOW_METHOD_PREFIXES)
    timeout = options.slow_timeout_seconds if slow else options.default_timeout_seconds
    # connect-failure and refused-stream mean the request never reached the service: safe for
    # every method. UNAVAILABLE and resets may come after the service acted: idempotent only.
    retry_on = "connect-failure,refused-stream"
    if method.retryable:
        retry_on += ",unavailable,reset"
    return {
        "name": method.path,
        "match": {"path": method.path},
        "route": {
            "cluster": upstream,
            "timeout": _duration(timeout),
            # Honour the client's grpc-timeout (deadline propagation), capped at the route timeout.
            "max_stream_duration": {"grpc_timeout_header_max": _duration(timeout)},
            "retry_policy": {
                "retry_on": retry_on,
                "num_retries": 2,
                "retry_back_off": {"base_interval": "0.05s", "max_interval": "0.5s"},
            },
        },
    }


def _health_routes(services: list[Service]) -> list[dict[str, Any]]:
    """Health through the gateway: `x-storeops-service: orders` picks a service, default people."""
    upstreams = sorted({s.upstream for s in services})
    routes = [
        {
            "match": {
                "prefix": HEALTH_PREFIX,
                "headers": [{"name": "x-storeops-service", "string_match": {"exact": name}}],
            },
            "route": {"cluster": name, "timeout": "5s"},
        }
        for name in upstreams
    ]
    routes.append(
        {"match": {"prefix": HEALTH_PREFIX}, "route": {"cluster": "people", "timeout": "5s"}}
    )
    return routes


def _jwt_filter(
    services: list[Service], topology: Topology, options: GatewayOptions
) -> dict[str, Any]:
    public = [m.path for s in services for m in s.methods if m.public]
    rules: list[dict[str, Any]] = [{"match": {"path": path}} for path in public]
    rules.append({"match": {"prefix": HEALTH_PREFIX}})
    rules.append({"match": {"prefix": "/"}, "requires": {"provider_name": JWT_PROVIDER}})
    return {
        "name": "envoy.filters.http.jwt_authn",
        "typed_config": _typed(
            "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
            providers={
                JWT_PROVIDER: {
                    "issuer": options.jwt_issuer,
                    "audiences": [options.jwt_audience],
                    "forward": True,  # services verify the token again
                    # The verified subject keys the per-client rate limit.
                    "claim_to_headers": [{"header_name": SUBJECT_HEADER, "claim_name": "sub"}],
                    "clock_skew_seconds": 30,
                    # The key set comes from people's GetJwks through this very listener (REST),
                    # so key rotation needs no restart anywhere.
                    "remote_jwks": {
                        "http_uri": {
                            "uri": f"http://127.0.0.1:{topology.listen_port}/v1/jwks",
                            "cluster": "gateway_self",
                            "timeout": "2s",
                        },
                        "cache_duration": "60s",
                        "async_fetch": {"failed_refetch_duration": "1s"},
                        "retry_policy": {
                            "num_retries": 3,
                            "retry_back_off": {"base_interval": "0.2s", "max_interval": "2s"},
                        },
                    },
                }
            },
            rules=rules,
        ),
    }


def _transcoder(
    services: list[Service], topology: Topology, options: GatewayOptions
) -> dict[str, Any]:
    return {
        "name": "envoy.filters.http.grpc_json_transcoder",
        "typed_config": _typed(
            "envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder",
            proto_descriptor=topology.descriptor_path,
            services=[s.full_name for s in services],
            print_options={
                "always_print_primitive_fields": True,
                "always_print_enums_as_ints": False,
                "preserve_proto_field_names": False,
            },
            convert_grpc_status=True,
            request_validation_options={
                "reject_unknown_method": True,
                "reject_unknown_query_parameters": True,
                "reject_binding_body_field_collisions": True,
            },
            max_request_body_size=options.max_request_bytes,
            max_response_body_size=options.max_response_bytes,
            query_param_unescape_plus=True,
        ),
    }


def _strip_subject_header() -> dict[str, Any]:
    """Clients must not choose their own rate-limit key: only jwt_authn sets the header."""
    return {
        "name": "envoy.filters.http.header_mutation",
        "typed_config": _typed(
            "envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
            mutations={"request_mutations": [{"remove": SUBJECT_HEADER}]},
        ),
    }


def _rate_limit(options: GatewayOptions) -> dict[str, Any]:
    """A global bucket per Envoy instance plus one bucket per token subject (created on demand),
    answered with 429 / RESOURCE_EXHAUSTED beyond it."""
    percent = {"default_value": {"numerator": 100, "denominator": "HUNDRED"}}
    return {
        "name": "envoy.filters.http.local_ratelimit",
        "typed_config": _typed(
            "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
            stat_prefix="gateway_rate_limit",
            # gRPC clients get RESOURCE_EXHAUSTED (not retried), not UNAVAILABLE (retried at once).
            rate_limited_as_resource_exhausted=True,
            token_bucket={
                "max_tokens": options.rate_limit_burst,
                "tokens_per_fill": options.rate_limit_per_second,
                "fill_interval": "1s",
            },
            filter_enabled={**percent, "runtime_key": "gateway_rate_limit_enabled"},
            filter_enforced={**percent, "runtime_key": "gateway_rate_limit_enforced"},
            rate_limits=[
                {
                    "actions": [
                        {
                            "request_headers": {
                                "header_name": SUBJECT_HEADER,
                                "descriptor_key": "subject",
                            }
                        }
                    ]
                }
            ],
            descriptors=[
                {
                    "entries": [{"key": "subject"}],
                    "token_bucket": {
                        "max_tokens": options.client_rate_limit_burst,
                        "tokens_per_fill": options.client_rate_limit_per_second,
                        "fill_interval": "1s",
                    },
                }
            ],
            max_dynamic_descriptors=10_000,
        ),
    }


def _local_reply_config() -> dict[str, Any]:
    """Envoy's own replies to REST clients (bad JSON, unknown path, rate limit) as JSON Status.

    gRPC requests, and REST requests already turned into gRPC by the transcoder (which converts
    their status itself), keep Envoy's native gRPC replies."""
    # Native gRPC clients send `te: trailers`; REST requests lack it until the transcoder adds
    # it, and then carry the transcoder's `x-envoy-original-path`.
    not_grpc = {
        "or_filter": {
            "filters": [
                {"header_filter": {"header": {"name": "te", "present_match": False}}},
                {
                    "header_filter": {
                        "header": {"name": "x-envoy-original-path", "present_match": True}
                    }
                },
            ]
        }
    }
    return {
        "mappers": [
            {
                "filter": {
                    "and_filter": {
                        "filters": [
                            {
                                "status_code_filter": {
                                    "comparison": {
                                        "op": "EQ",
                                        "value": {
                                            "default_value": status,
                                            "runtime_key": f"local_reply_{status}",
                                        },
                                    }
                                }
                            },
                            not_grpc,
                        ]
                    }
                },
                "body_format_override": {
                    "json_format": {"code": code, "message": "%LOCAL_REPLY_BODY%", "details": []},
                    "content_type": "application/json",
                },
            }
            for status, code in LOCAL_REPLY_CODES.items()
        ]
    }


def _access_log() -> list[dict[str, Any]]:
    return [
        {
            "name": "envoy.access_loggers.stdout",
            "typed_config": _typed(
                "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
                log_format={
                    "json_format": {
                        "ts": "%START_TIME%",
                        "service": "gateway",
                        "method": "%REQ(:METHOD)%",
                        # No query string: searches carry customers' names and phones.
                        "path": "%PATH(NQ:ORIG)%",
                        "rpc": "%REQ(:PATH)%",
                        "status": "%RESPONSE_CODE%",
                        "grpc_status": "%GRPC_STATUS%",
                        "flags": "%RESPONSE_FLAGS%",
                        "ms": "%DURATION%",
                        "upstream": "%UPSTREAM_CLUSTER%",
                        "request_id": "%REQ(X-REQUEST-ID)%",
                        "client": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
                    }
                },
            ),
        }
    ]


def _cluster(
    name: str, service: str, host: str, port: int, dns: bool, options: GatewayOptions
) -> dict[str, Any]:
    return {
        "name": name,
        "type": "STRICT_DNS" if dns else "STATIC",
        "dns_lookup_family": "V4_ONLY",
        "lb_policy": "ROUND_ROBIN",
        "connect_timeout": "1s",
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": _typed(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                explicit_http_config={
                    "http2_protocol_options": {
                        # Caps streams per connection so Envoy opens several connections, which
                        # spreads calls over a service's worker processes (SO_REUSEPORT).
                        "max_concurrent_streams": options.upstream_max_concurrent_streams
                    }
                },
            )
        },
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [
                {
                    "lb_endpoints": [
                        {
                            "endpoint": {
                                "address": {"socket_address": {"address": host, "port_value": port}}
                            }
                        }
                    ]
                }
            ],
        },
        "health_checks": [
            {
                "timeout": "1s",
                "interval": "2s",
                "no_traffic_interval": "5s",
                "unhealthy_threshold": 2,
                "healthy_threshold": 1,
                "grpc_health_check": {"service_name": service},
            }
        ],
        "circuit_breakers": {
            "thresholds": [
                {
                    "max_connections": 10_000,
                    "max_pending_requests": 10_000,
                    "max_requests": 10_000,
                    "max_retries": 100,
                }
            ]
        },
    }


def build_config(
    services: list[Service], topology: Topology, options: GatewayOptions | None = None
) -> dict[str, Any]:
    options = options or GatewayOptions()
    routes: list[dict[str, Any]] = []
    for service in services:
        routes.extend(_route_for(m, service.upstream, options) for m in service.methods)
    routes.extend(_health_routes(services))
    routes.append(
        {
            "match": {"prefix": "/"},
            "direct_response": {"status": 404, "body": {"inline_string": "no such route"}},
        }
    )
    connection_manager = _typed(
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        stat_prefix="gateway",
        codec_type="AUTO",
        generate_request_id=True,
        preserve_external_request_id=True,  # clients may pass their own id for tracing
        use_remote_address=True,
        normalize_path=True,
        merge_slashes=True,
        stream_idle_timeout="300s",
        common_http_protocol_options={
            "idle_timeout": "600s",
            "headers_with_underscores_action": "REJECT_REQUEST",
        },
        http2_protocol_options={"max_concurrent_streams": 1024},
        access_log=_access_log() if options.access_log else [],
        local_reply_config=_local_reply_config(),
        route_config={
            "name": "storeops",
            "virtual_hosts": [{"name": "storeops", "domains": ["*"], "routes": routes}],
        },
        http_filters=[
            _strip_subject_header(),
            _transcoder(services, topology, options),
            _jwt_filter(services, topology, options),
            _rate_limit(options),
            {
                "name": "envoy.filters.http.router",
                "typed_config": _typed("envoy.extensions.filters.http.router.v3.Router"),
            },
        ],
    )
    upstreams = sorted({s.upstream for s in services})
    service_names = {s.upstream: s.full_name for s in services}
    clusters = [
        _cluster(
            name,
            service_names[name],
            topology.endpoints[name].host,
            topology.endpoints[name].port,
            topology.dns,
            options,
        )
        for name in upstreams
    ]
    clusters.append(
        {
            "name": "gateway_self",
            "type": "STATIC",
            "connect_timeout": "1s",
            "load_assignment": {
                "cluster_name": "gateway_self",
                "endpoints": [
                    {
                        "lb_endpoints": [
                            {
                                "endpoint": {
                                    "address": {
                                        "socket_address": {
                                            "address": "127.0.0.1",
                                            "port_value": topology.listen_port,
                                        }
                                    }
                                }
                            }
                        ]
                    }
                ],
            },
        }
    )
    return {
        "admin": {
            "address": {
                "socket_address": {
                    "address": topology.admin_address,
                    "port_value": topology.admin_port,
                }
            }
        },
        "static_resources": {
            "listeners": [
                {
                    "name": "gateway",
                    "address": {
                        # The gateway is the way in: it listens on every interface.
                        "socket_address": {"address": "0.0.0.0", "port_value": topology.listen_port}  # noqa: S104
                    },
                    "per_connection_buffer_limit_bytes": 1024 * 1024,
                    "filter_chains": [
                        {
                            "filters": [
                                {
                                    "name": "envoy.filters.network.http_connection_manager",
                                    "typed_config": connection_manager,
                                }
                            ]
                        }
                    ],
                }
            ],
            "clusters": clusters,
        },
        "layered_runtime": {"layers": [{"name": "static", "static_layer": {}}]},
    }
