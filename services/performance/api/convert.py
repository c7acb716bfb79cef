"""Protobuf ↔ domain values for the performance servicer."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from storeops.performance.v1 import appraisals_pb2 as ap
from storeops.performance.v1 import commission_pb2 as cm
from storeops.performance.v1 import facts_pb2 as fa
from storeops.performance.v1 import statements_pb2 as st
from storeops.performance.v1 import targets_pb2 as tg

from services.common.errors import InvalidArgument
from services.common.proto_convert import to_money
from services.performance.db.appraisals import StoredAppraisal
from services.performance.db.commission import StoredTable
from services.performance.db.statements import StoredStatement
from services.performance.db.targets import TargetRecord
from services.performance.domain.appraisal import AppraisalWeights
from services.performance.domain.commission_tables import CommissionGroup, GapPolicy, Tier
from services.performance.domain.grades import Grade
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import Role
from services.performance.domain.targets import TargetScope, target_deadline


def month(text: str, field: str = "month") -> YearMonth:
    try:
        return YearMonth.parse(text)
    except InvalidArgument as exc:
        raise InvalidArgument.for_field(field, f"expected YYYY-MM, got {text!r}") from exc


def decimal(text: str, field: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise InvalidArgument.for_field(field, f"{text!r} is not a decimal") from exc
    if not value.is_finite():
        raise InvalidArgument.for_field(field, f"{text!r} is not a finite decimal")
    return value


def text(value: object | None) -> str:
    return "" if value is None else str(value)


def percent(fraction: Decimal) -> str:
    """0.1 → "10" (exact, no trailing zeros)."""
    value = (fraction * 100).normalize()
    return f"{value:f}"


# ---- enums ------------------------------------------------------------------------------------


def scope_in(value: int) -> TargetScope:
    return TargetScope(tg.Target.Scope.Name(value))


def group_in(value: int) -> CommissionGroup:
    return CommissionGroup(cm.CommissionGroup.Name(value))


def group_out(group: CommissionGroup | None) -> str:
    return "COMMISSION_GROUP_UNSPECIFIED" if group is None else group.value


def gap_in(value: int) -> GapPolicy | None:
    return None if value == 0 else GapPolicy(cm.GapPolicy.Name(value))


def role_in(value: int) -> Role:
    return Role(fa.EmployeeFact.Role.Name(value))


def role_out(role: Role | None) -> str:
    return "ROLE_UNSPECIFIED" if role is None else role.value


# ---- resources --------------------------------------------------------------------------------


def target_out(record: TargetRecord) -> tg.Target:
    message = tg.Target(
        scope=record.scope.value,
        subject_code=record.subject_code,
        month=str(record.month),
        late=record.late,
        deadline=str(target_deadline(record.month)),
    )
    current = record.current
    if current is not None:
        message.amount.CopyFrom(to_money(current.amount))
        message.set_by = current.set_by
        message.set_on = str(current.set_on)
        message.approved_by = current.approved_by or ""
    if record.pending is not None:
        message.pending.CopyFrom(
            tg.PendingTargetChange(
                amount=to_money(record.pending.amount),
                proposed_by=record.pending.proposed_by,
                proposed_on=str(record.pending.proposed_on),
                reason=record.pending.reason,
            )
        )
    return message


def tier_in(message: cm.CommissionTier, field: str) -> Tier:
    return Tier(
        lower=decimal(message.lower, f"{field}.lower"),
        lower_inclusive=message.lower_inclusive,
        upper=decimal(message.upper, f"{field}.upper") if message.upper else None,
        upper_inclusive=message.upper_inclusive,
        rate=decimal(message.rate, f"{field}.rate"),
        rate_at_upper=(
            decimal(message.rate_at_upper, f"{field}.rate_at_upper")
            if message.rate_at_upper
            else None
        ),
        source=message.source or "stated when the table was created",
    )


def table_out(stored: StoredTable) -> cm.CommissionTable:
    table = stored.table
    return cm.CommissionTable(
        group=group_out(table.group),
        version=table.version,
        effective_from=str(table.effective_from),
        effective_to=text(table.effective_to),
        created_by=stored.created_by,
        tiers=[
            cm.CommissionTier(
                lower=str(x.lower),
                lower_inclusive=x.lower_inclusive,
                upper=text(x.upper),
                upper_inclusive=x.upper_inclusive,
                rate=str(x.rate),
                rate_at_upper=text(x.rate_at_upper),
                source=x.source,
            )
            for x in table.tiers
        ],
    )


def share_weights_out(
    group: CommissionGroup, month_: YearMonth, weights: dict[str, Decimal], set_by: str
) -> cm.ShareWeights:
    return cm.ShareWeights(
        group=group_out(group),
        month=str(month_),
        set_by=set_by,
        weights=[
            cm.ShareWeight(employee_code=code, percent=percent(w))
            for code, w in sorted(weights.items())
        ],
    )


def weights_out(role: Role, weights: AppraisalWeights, default: bool) -> ap.AppraisalWeights:
    return ap.AppraisalWeights(
        role=role_out(role),
        self_assessment_percent=percent(weights.self_assessment),
        supervisor_percent=percent(weights.supervisor),
        peers_percent=percent(weights.peers),
        kpis_percent=percent(weights.kpis),
        default=default,
    )


def appraisal_out(stored: StoredAppraisal) -> ap.Appraisal:
    a = stored.appraisal
    total = a.total_score if a.total_score is not None else a.computed_total()
    grade: Grade | None = a.grade
    return ap.Appraisal(
        employee_code=a.employee_code,
        month=str(a.month),
        role=role_out(stored.role),
        department_code=a.department,
        supervisor_code=a.supervisor_code,
        state=a.state.value,
        self_score=text(a.self_score),
        self_comment=a.self_comment,
        supervisor_score=text(a.supervisor_score),
        supervisor_comments=a.supervisor_comments,
        peer_scores=[
            ap.PeerScore(
                reviewer_code=p.reviewer_code,
                reviewer_department=p.reviewer_department,
                score=str(p.score),
            )
            for p in a.peer_scores.values()
        ],
        kpi_score=text(a.kpi_score),
        weights=weights_out(stored.role, a.weights, False),
        total_score=text(total),
        grade=grade.value if grade else "",
        coefficient=str(grade.coefficient) if grade else "",
        review_flag=stored.review_flag,
        opens_on=str(a.calendar.self_assessment_opens_on(a.month)),
        closes_on=str(a.calendar.closes_on(a.month)),
        closed_on=text(a.closed_on),
    )


def statement_out(stored: StoredStatement) -> st.Statement:
    s = stored.statement
    return st.Statement(
        employee_code=s.employee_code,
        month=str(s.month),
        sequence=s.sequence,
        kind=s.kind.value,
        state=s.state.value,
        lines=[
            st.StatementLine(
                kind=line.kind.value,
                amount=to_money(line.amount),
                rule=line.rule,
                explanation=line.explanation,
                inputs=dict(line.inputs),
            )
            for line in s.lines
        ],
        total=to_money(s.total()),
        approved_by=s.approved_by or "",
        approved_on=text(s.approved_on),
        flags=list(stored.flags),
    )
