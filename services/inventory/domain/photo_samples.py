"""Photo-sample loans to the product department (seed 003 篇2 2.(1)–(2), 附2 3)).

"调拨单注明日期、款号、尺码、颜色、数量、是否延期" — samples go out on a transfer document naming
date, style, size, colour, quantity and whether it was extended. "超过7天,需要办理延期手续,否则,
仓储部要求收回产品" — beyond 7 days an extension is needed, otherwise the warehouse reclaims the
samples. 附2 3): photos, images and listing are due within 3 days of the inbound-complete notice.

Settings chosen (``SampleLoanPolicy``):
- ``loan_days = 7``: borrowed on day D, due back on D + 7; overdue from D + 8.
- ``extension_days = 7`` and ``max_extensions = 1``: the seed names an extension but not its
  length or how many; one more week, once, keeps samples from drifting away for good.
- ``extend_when_overdue = False``: the extension must be asked for by the due date ("超过7天,需要
  办理延期" — before running over); an overdue loan is reclaimed instead.
- ``listing_days = 3`` calendar days after the inbound notice.
- ``sample_warehouse_code = "SAMPLES"``: on the books, loaned samples move to a samples location
  (系统移库) so sellable stock does not count units that sit in a photo studio.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from services.common.errors import FailedPrecondition
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.validation import (
    validate_id,
    validate_non_negative_quantity,
    validate_positive_quantity,
    validate_sku_code,
    validate_text,
    validate_warehouse_code,
)


@dataclass(frozen=True)
class SampleLoanPolicy:
    """Settings of the photo-sample rule; see the module docstring."""

    loan_days: int = 7
    extension_days: int = 7
    max_extensions: int = 1
    extend_when_overdue: bool = False
    listing_days: int = 3
    sample_warehouse_code: str = "SAMPLES"

    def __post_init__(self) -> None:
        validate_positive_quantity(self.loan_days, "loan_days")
        validate_positive_quantity(self.extension_days, "extension_days")
        validate_non_negative_quantity(self.max_extensions, "max_extensions")
        validate_non_negative_quantity(self.listing_days, "listing_days")
        validate_warehouse_code(self.sample_warehouse_code, "sample_warehouse_code")


DEFAULT_SAMPLE_POLICY = SampleLoanPolicy()


class LoanStatus(StrEnum):
    """OUT with the borrower; RETURNED by the borrower; RECLAIMED by the warehouse when overdue."""

    OUT = "OUT"
    RETURNED = "RETURNED"
    RECLAIMED = "RECLAIMED"


@dataclass(frozen=True)
class SampleLoan:
    """Samples of one SKU lent out on one document."""

    document_id: str
    borrower_id: str
    warehouse_code: str
    sku_code: str
    style_code: str
    colour: str
    size: str
    quantity: int
    borrowed_on: date
    due_on: date
    extensions: int = 0
    status: LoanStatus = LoanStatus.OUT
    closed_on: date | None = None

    @classmethod
    def lend(
        cls,
        *,
        document_id: str,
        borrower_id: str,
        warehouse_code: str,
        sku_code: str,
        style_code: str,
        colour: str,
        size: str,
        quantity: int,
        today: date,
        policy: SampleLoanPolicy = DEFAULT_SAMPLE_POLICY,
    ) -> SampleLoan:
        """A loan going out today, due back after `policy.loan_days`."""
        validate_id(document_id, "document_id")
        validate_text(borrower_id, "borrower_id", max_len=64)
        validate_warehouse_code(warehouse_code)
        validate_sku_code(sku_code)
        validate_text(style_code, "style_code", max_len=64)
        validate_text(colour, "colour", max_len=64)
        validate_text(size, "size", max_len=32)
        validate_positive_quantity(quantity)
        due = today + timedelta(days=policy.loan_days)
        return cls(
            document_id,
            borrower_id,
            warehouse_code,
            sku_code,
            style_code,
            colour,
            size,
            quantity,
            today,
            due,
        )

    @property
    def extended(self) -> bool:
        """The document's 是否延期 box."""
        return self.extensions > 0

    def is_overdue(self, today: date) -> bool:
        """Still out after its due date."""
        return self.status is LoanStatus.OUT and today > self.due_on

    def extend(self, today: date, policy: SampleLoanPolicy = DEFAULT_SAMPLE_POLICY) -> SampleLoan:
        """Push the due date by `policy.extension_days` (延期手续)."""
        self._require_out("extend")
        if self.extensions >= policy.max_extensions:
            raise FailedPrecondition(
                f"sample loan {self.document_id} was already extended {self.extensions} time(s), "
                f"the most allowed; return the samples and borrow again",
                reason="EXTENSION_LIMIT_REACHED",
            )
        if self.is_overdue(today) and not policy.extend_when_overdue:
            raise FailedPrecondition(
                f"sample loan {self.document_id} was due on {self.due_on}: an extension must be "
                "asked for by the due date; the warehouse reclaims the samples",
                reason="LOAN_OVERDUE",
            )
        return replace(
            self,
            due_on=self.due_on + timedelta(days=policy.extension_days),
            extensions=self.extensions + 1,
        )

    def give_back(self, today: date) -> SampleLoan:
        """The borrower returns the samples; a no-op if already closed this way."""
        if self.status is LoanStatus.RETURNED:
            return self
        self._require_out("return")
        return replace(self, status=LoanStatus.RETURNED, closed_on=today)

    def reclaim(self, today: date) -> SampleLoan:
        """The warehouse takes overdue samples back; a no-op if already reclaimed."""
        if self.status is LoanStatus.RECLAIMED:
            return self
        self._require_out("reclaim")
        if not self.is_overdue(today):
            raise FailedPrecondition(
                f"sample loan {self.document_id} is due on {self.due_on}; it can be reclaimed "
                "only after that",
                reason="LOAN_NOT_OVERDUE",
            )
        return replace(self, status=LoanStatus.RECLAIMED, closed_on=today)

    def out_movements(
        self, policy: SampleLoanPolicy = DEFAULT_SAMPLE_POLICY
    ) -> tuple[Movement, ...]:
        """The system move (系统移库) when the samples go out."""
        return _move(self, self.warehouse_code, policy.sample_warehouse_code)

    def back_movements(
        self, policy: SampleLoanPolicy = DEFAULT_SAMPLE_POLICY
    ) -> tuple[Movement, ...]:
        """The system move when the samples come back (returned or reclaimed)."""
        return _move(self, policy.sample_warehouse_code, self.warehouse_code)

    def _require_out(self, action: str) -> None:
        if self.status is not LoanStatus.OUT:
            raise FailedPrecondition(
                f"cannot {action} sample loan {self.document_id}: it is {self.status}",
                reason="LOAN_CLOSED",
            )


def overdue_loans(loans: Iterable[SampleLoan], today: date) -> tuple[SampleLoan, ...]:
    """Loans still out after their due date, longest overdue first."""
    late = [loan for loan in loans if loan.is_overdue(today)]
    return tuple(sorted(late, key=lambda loan: (loan.due_on, loan.document_id)))


def listing_due_date(
    inbound_notice_on: date, policy: SampleLoanPolicy = DEFAULT_SAMPLE_POLICY
) -> date:
    """Photos, images and listing are due this day (inbound-complete notice + 3 days)."""
    return inbound_notice_on + timedelta(days=policy.listing_days)


def _move(loan: SampleLoan, from_code: str, to_code: str) -> tuple[Movement, ...]:
    return (
        Movement(MovementKind.TRANSFER_OUT, loan.sku_code, from_code, loan.quantity),
        Movement(MovementKind.TRANSFER_IN, loan.sku_code, to_code, loan.quantity),
    )
