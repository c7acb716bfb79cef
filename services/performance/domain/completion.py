"""Plan completion: actual / target, kept exact.

The ratio is an exact `Fraction` (1/3 stays 1/3), so comparing it with a tier bound such as 30% is
never blurred by a rounded decimal. `ratio` gives a Decimal for display.

Documented behaviour:
- A missing or zero target gives no ratio and the flag TARGET_MISSING: nothing that depends on the
  ratio is paid (no commission, no performance pay) until a target exists; the handler surfaces the
  flag so someone sets the target. A negative target is an error.
- A negative actual (more returns than orders in the month) counts as 0% and is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction

from services.common.errors import InvalidArgument
from services.common.money import Exact, quantize_half_up, to_fraction


class CompletionFlag(Enum):
    TARGET_MISSING = "TARGET_MISSING"
    NEGATIVE_ACTUAL_COUNTED_AS_ZERO = "NEGATIVE_ACTUAL_COUNTED_AS_ZERO"


@dataclass(frozen=True)
class Completion:
    """Completion of a plan. `exact` is None when no ratio can be formed (see flags)."""

    actual: Fraction
    target: Fraction | None
    exact: Fraction | None
    flags: frozenset[CompletionFlag] = frozenset()

    @classmethod
    def of_ratio(cls, ratio: Exact) -> Completion:
        """A completion known only as a ratio (e.g. Decimal('1.05') for 105%)."""
        exact = to_fraction(ratio, "ratio")
        if exact < 0:
            raise InvalidArgument.for_field(
                "ratio", f"must be >= 0, got {ratio}", reason="NEGATIVE_COMPLETION"
            )
        return cls(actual=exact, target=Fraction(1), exact=exact)

    @property
    def is_known(self) -> bool:
        return self.exact is not None

    @property
    def ratio(self) -> Decimal | None:
        """The ratio for display, 6 decimals ROUND_HALF_UP (computations use `exact`)."""
        return None if self.exact is None else quantize_half_up(self.exact, 6)

    def percent(self, places: int = 2) -> str:
        """E.g. '30.01%', or 'no target'."""
        if self.exact is None:
            return "no target"
        return f"{quantize_half_up(self.exact * 100, places)}%"


def completion(actual: Exact, target: Exact | None) -> Completion:
    """Completion = actual / target (amounts in minor units, or counts for non-money plans)."""
    actual_exact = to_fraction(actual, "actual")
    flags: set[CompletionFlag] = set()
    if actual_exact < 0:
        actual_exact = Fraction(0)
        flags.add(CompletionFlag.NEGATIVE_ACTUAL_COUNTED_AS_ZERO)
    if target is None or to_fraction(target, "target") == 0:
        flags.add(CompletionFlag.TARGET_MISSING)
        return Completion(actual_exact, None, None, frozenset(flags))
    target_exact = to_fraction(target, "target")
    if target_exact < 0:
        raise InvalidArgument.for_field(
            "target", f"must be > 0, got {target}", reason="NEGATIVE_TARGET"
        )
    return Completion(actual_exact, target_exact, actual_exact / target_exact, frozenset(flags))
