"""Positions (岗位): the default catalogue from DOMAIN "Positions" with stable codes.

Codes are stable identifiers stored in the database, in tokens and in the role table
(`default_roles.DEFAULT_POSITION_ROLES`); titles may change, codes may not.
`department_code` is the position's usual home department in the default tree; it is not
enforced against an employee's department (seed 001 places customer service inside the Tmall
operations department, seed 004 gives it its own team).

Choices: marketing and sales positions sit in `operations` (seed 004 puts the market and sales
managers under the operations director); QC inspectors and receivers in `warehouse` (seed 003,
receiving and QC are warehouse steps); `admin` (the system administrator) in `gm_office`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from services.common.errors import NotFound
from services.people.domain.validation import validate_code, validate_text


class PositionLevel(StrEnum):
    """Rank of a position; supervisors and above lead people (appraisals, leave approval)."""

    STAFF = "STAFF"
    SUPERVISOR = "SUPERVISOR"
    MANAGER = "MANAGER"
    DIRECTOR = "DIRECTOR"
    EXECUTIVE = "EXECUTIVE"


@dataclass(frozen=True)
class Position:
    """A job position with its stable code."""

    code: str
    title: str
    title_zh: str
    department_code: str
    level: PositionLevel

    def __post_init__(self) -> None:
        validate_code(self.code, field_path="code")
        validate_code(self.department_code, field_path="department_code")
        validate_text(self.title, field_path="title", max_length=100)
        validate_text(self.title_zh, field_path="title_zh", max_length=50)


_S, _SUP, _MGR, _DIR, _EXE = (
    PositionLevel.STAFF,
    PositionLevel.SUPERVISOR,
    PositionLevel.MANAGER,
    PositionLevel.DIRECTOR,
    PositionLevel.EXECUTIVE,
)

DEFAULT_POSITIONS: tuple[Position, ...] = (
    Position("ops_specialist", "Operations specialist", "运营专员", "operations", _S),
    Position("ops_supervisor", "Operations supervisor", "运营主管", "operations", _SUP),
    Position("ops_manager", "Operations manager", "运营经理", "operations", _MGR),
    Position("ops_director", "Operations director", "运营总监", "operations", _DIR),
    Position("promotion_specialist", "Promotion specialist", "推广专员", "operations", _S),
    Position("cs_supervisor", "Customer service supervisor", "客服主管", "customer_service", _SUP),
    Position("cs_specialist", "Customer service specialist", "客服专员", "customer_service", _S),
    Position("data_analyst", "Data analyst", "数据分析员", "operations", _S),
    Position("marketing_manager", "Marketing manager", "市场经理", "operations", _MGR),
    Position("marketing_specialist", "Marketing specialist", "市场专员", "operations", _S),
    Position("sales_manager", "Sales manager", "销售经理", "operations", _MGR),
    Position("sales_rep", "Sales representative", "销售代表", "operations", _S),
    Position("wh_supervisor", "Warehouse supervisor", "仓库主管", "warehouse", _SUP),
    Position("wh_order_clerk", "Order-document clerk", "制单专员", "warehouse", _S),
    Position("wh_clerk", "Warehouse clerk", "仓库文员", "warehouse", _S),
    Position("wh_keeper", "Warehouse keeper / picker", "仓库管理员", "warehouse", _S),
    Position("wh_verifier", "Verifier-weigher", "验货称重专员", "warehouse", _S),
    Position("wh_packer", "Packer", "打包专员", "warehouse", _S),
    Position("wh_statistician", "Stock statistician", "统计员", "warehouse", _S),
    Position("qc_inspector", "QC inspector", "质检员", "warehouse", _S),
    Position("wh_receiver", "Receiver", "收货人员", "warehouse", _S),
    Position("hr_specialist", "HR specialist", "人事专员", "hr", _S),
    Position("finance_specialist", "Finance specialist", "财务专员", "finance", _S),
    Position("gm", "General manager", "总经理", "gm_office", _EXE),
    Position("admin", "System administrator", "系统管理员", "gm_office", _S),
)

DEFAULT_POSITIONS_BY_CODE: Mapping[str, Position] = MappingProxyType(
    {position.code: position for position in DEFAULT_POSITIONS}
)


def get_position(
    code: str,
    catalogue: Mapping[str, Position] = DEFAULT_POSITIONS_BY_CODE,
    *,
    field_path: str = "position_code",
) -> Position:
    """The position `code` from `catalogue`, or NotFound naming `field_path`."""
    try:
        return catalogue[code]
    except KeyError:
        raise NotFound(f"{field_path}: no position {code!r}", reason="POSITION_NOT_FOUND") from None
