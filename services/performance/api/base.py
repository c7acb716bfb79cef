"""What every part of the performance servicer holds."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from services.performance.service.context import Deps

Ctx: TypeAlias = grpc.aio.ServicerContext


class Base:
    """The servicer's dependencies; the RPC mixins read them."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
