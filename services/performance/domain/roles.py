"""Positions that the performance rules tell apart, and their pay level (seed 003 篇1, 001)."""

from __future__ import annotations

from enum import Enum


class Role(Enum):
    """Appraisal roles with their own KPI set (seed 001 四(一), seed 000 四(一))."""

    MANAGER = "MANAGER"  # 运营经理
    SUPERVISOR = "SUPERVISOR"  # 运营主管 / 部门主管
    PROMOTION = "PROMOTION"  # 推广专员 / 网络推广员
    CUSTOMER_SERVICE = "CUSTOMER_SERVICE"  # 客服专员
    DATA_ANALYST = "DATA_ANALYST"  # 数据分析员
    OPERATIONS_SPECIALIST = "OPERATIONS_SPECIALIST"  # 运营专员


class PayLevel(Enum):
    """Seed 003 篇1 三(一) has two pay levels: the department head (主管) and members (组员)."""

    SUPERVISOR = "SUPERVISOR"
    TEAM_MEMBER = "TEAM_MEMBER"


def pay_level(role: Role) -> PayLevel:
    """Managers are paid at the head's level: the seed has no separate manager scale."""
    if role in (Role.MANAGER, Role.SUPERVISOR):
        return PayLevel.SUPERVISOR
    return PayLevel.TEAM_MEMBER
