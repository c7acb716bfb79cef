"""An amount together with the rule and the figures that produced it, for checking by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.common.money import Money


@dataclass(frozen=True)
class Explained:
    """A computed amount, the rule applied (seed citation), a sentence, and the structured inputs.

    `inputs` values are strings (decimals written exactly, money in minor units) so they serialise
    without loss and a person can redo the arithmetic.
    """

    amount: Money
    rule: str
    explanation: str
    inputs: Mapping[str, str] = field(default_factory=dict)
