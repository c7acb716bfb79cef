"""The DEFAULT ROLE TABLE: role → permission patterns, and position → roles. Plain data.

This is the seed of the `roles` table; after the first migration it lives in the database and
is edited there, so nothing else may depend on these exact grants. Each role is self-contained
(a supervisor role repeats its team's grants) so that a role read from the database means what
it says. Every employee additionally holds `employee`, the self-service role.

Grants follow the job duties in the seeds, at resource granularity:
- ops_* — seeds 000 §二, 001 §二, 002 §二, 004 运营专员/经理/总监: listing (skus), order handling,
  after-sales, data reports, stock monitoring and replenishment requests; the manager approves
  replenishment (004 运营经理 审核补货申请) and sets targets; the director approves training
  plans and reads everything operational.
- promotion_specialist — 001 推广专员: promotion plans, spend and ROI data.
- cs_* — 001 客服专员/主管: enquiries, orders, customer contact, after-sales, complaints; the
  supervisor approves refunds and trains the team.
- data_analyst — 001/002 数据分析员: reads operational data and writes reports, but not customer
  contact data (confidentiality, seeds 000/002 数据安全与保密).
- marketing_*/sales_* — 004 市场/销售: research, reports; sales reps keep customer holds.
- warehouse roles — seed 003 篇2/篇3: the supervisor and keeper sign inbound documents, the
  statistician books receipts, transfers and returns, the receiver checks deliveries and sends
  defectives back, the order clerk reviews batches and ships waves, the verifier inspects
  parcels, the packer packs; QC inspects receipts and returns but approves no count adjustment
  (only the warehouse supervisor approves counts).
- hr_specialist / finance_specialist — pay, appraisal and commission data of everybody
  (`read_all`, ARCHITECTURE "Identity"); HR runs organisation, accounts, training, attendance.
- gm — the GM office approves replenishment and supplier returns of rejected deliveries
  (seed 003), approves targets, statements and training plans, and reads everything except
  customer contact and other people's pay beyond its reporting line.
- admin — everything.
- svc_* — service accounts: orders reserves, releases and commits stock and books customer
  returns; performance and inventory read the event feeds they consume; every service reads
  the token revocation list (`people.tokens.read`) so that it refuses revoked tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from services.people.domain.roles import Role


def _g(resource: str, *actions: str) -> tuple[str, ...]:
    """`_g("inventory.receipts", "read", "sign")` → the two permission strings."""
    return tuple(f"{resource}.{action}" for action in actions)


EMPLOYEE = (
    *_g("people.departments", "read"),
    *_g("people.positions", "read"),
    *_g("people.employees", "read"),
    *_g("people.salaries", "read"),  # own and reports' only: see confidentiality
    *_g("people.accounts", "read", "update"),  # own account (password change)
    *_g("people.training", "read", "enrol"),
    *_g("people.attendance", "read", "create"),  # clock in/out, request leave
    *_g("performance.targets", "read"),
    *_g("performance.kpis", "read"),
    *_g("performance.appraisals", "read", "create"),  # self, supervisor and peer scores
    *_g("performance.commission", "read"),
    *_g("performance.statements", "read"),
)

OPS_SPECIALIST = (
    *_g("inventory.skus", "read", "create", "update"),
    *_g("inventory.warehouses", "read"),
    *_g("inventory.bins", "read"),
    *_g("inventory.stock", "read"),
    *_g("inventory.reservations", "read"),
    *_g("inventory.holds", "read"),
    *_g("inventory.samples", "read"),
    *_g("inventory.counts", "read"),
    *_g("inventory.replenishment", "read", "create"),
    *_g("orders.orders", "read", "place", "update", "cancel"),
    *_g("orders.customers", "read"),
    *_g("orders.fulfilment", "read"),
    *_g("orders.waves", "read"),
    *_g("orders.exceptions", "read", "create", "update"),
    *_g("orders.aftersales", "read", "create", "update"),
    *_g("orders.refunds", "read", "create"),
    *_g("orders.complaints", "read", "create", "update"),
    *_g("orders.ratings", "read"),
    *_g("performance.reports", "read", "create"),
)
OPS_SUPERVISOR = (
    *OPS_SPECIALIST,
    *_g("inventory.skus", "delete"),
    *_g("inventory.ledger", "read"),
    *_g("orders.review", "read"),
    *_g("orders.refunds", "approve"),
    *_g("orders.complaints", "complete"),
    *_g("people.attendance", "approve"),
    *_g("people.training", "create", "update"),
)
OPS_MANAGER = (
    *OPS_SUPERVISOR,
    *_g("inventory.replenishment", "approve"),
    *_g("inventory.counts", "create"),
    *_g("inventory.transfers", "read"),
    *_g("inventory.valuation", "read"),
    *_g("inventory.supplier_returns", "read"),
    *_g("performance.targets", "create", "update"),
)
OPS_DIRECTOR = (
    *OPS_MANAGER,
    "inventory.*.read",
    "orders.*.read",
    "performance.*.read",
    *_g("performance.targets", "approve"),
    *_g("people.training", "approve"),
)
PROMOTION_SPECIALIST = (
    *_g("inventory.skus", "read"),
    *_g("inventory.stock", "read"),
    *_g("orders.orders", "read"),
    *_g("orders.ratings", "read"),
    *_g("performance.reports", "read", "create"),
    *_g("performance.facts", "read"),
)
CS_SPECIALIST = (
    *_g("inventory.skus", "read"),
    *_g("inventory.stock", "read"),
    *_g("orders.orders", "read", "update", "cancel"),
    *_g("orders.customers", "read", "update"),
    *_g("orders.fulfilment", "read"),
    *_g("orders.waves", "read"),
    *_g("orders.exceptions", "read", "create", "update"),
    *_g("orders.aftersales", "read", "create", "update"),
    *_g("orders.refunds", "read", "create", "refund"),
    *_g("orders.complaints", "read", "create", "update"),
    *_g("orders.ratings", "read"),
)
CS_SUPERVISOR = (
    *CS_SPECIALIST,
    *_g("orders.refunds", "approve"),
    *_g("orders.complaints", "complete"),
    *_g("people.attendance", "approve"),
    *_g("people.training", "create", "update"),
    *_g("performance.reports", "read"),
)
DATA_ANALYST = (
    *_g("inventory.skus", "read"),
    *_g("inventory.stock", "read"),
    *_g("inventory.ledger", "read"),
    *_g("inventory.valuation", "read"),
    *_g("inventory.replenishment", "read"),
    *_g("inventory.events", "read"),
    *_g("orders.orders", "read"),
    *_g("orders.fulfilment", "read"),
    *_g("orders.aftersales", "read"),
    *_g("orders.refunds", "read"),
    *_g("orders.complaints", "read"),
    *_g("orders.ratings", "read"),
    *_g("orders.events", "read"),
    *_g("performance.reports", "read", "create", "update"),
    *_g("performance.facts", "read"),
)
MARKETING_SPECIALIST = (
    *_g("inventory.skus", "read"),
    *_g("orders.ratings", "read"),
    *_g("performance.reports", "read", "create"),
)
MARKETING_MANAGER = (
    *MARKETING_SPECIALIST,
    *_g("orders.orders", "read"),
    *_g("performance.facts", "read"),
    *_g("people.attendance", "approve"),
    *_g("people.training", "create", "update"),
)
SALES_REP = (
    *_g("inventory.skus", "read"),
    *_g("inventory.stock", "read"),
    *_g("inventory.holds", "read", "create", "release"),
    *_g("orders.orders", "read", "place", "update"),
    *_g("orders.customers", "read", "create", "update"),
    *_g("orders.aftersales", "read", "create"),
    *_g("orders.complaints", "read", "create"),
)
SALES_MANAGER = (
    *SALES_REP,
    *_g("performance.targets", "create", "update"),
    *_g("performance.reports", "read"),
    *_g("people.attendance", "approve"),
    *_g("people.training", "create", "update"),
)
WH_SUPERVISOR = (
    *_g("inventory.skus", "read"),
    *_g("inventory.warehouses", "read", "create", "update"),
    *_g("inventory.bins", "read", "create", "update", "delete"),
    *_g("inventory.receipts", "read", "create", "sign", "complete"),
    *_g("inventory.stock", "read"),
    *_g("inventory.ledger", "read"),
    *_g("inventory.reservations", "read"),
    *_g("inventory.transfers", "read", "create", "ship", "receive"),
    *_g("inventory.counts", "read", "create", "update", "approve"),
    *_g("inventory.samples", "read", "create", "update"),
    *_g("inventory.holds", "read", "release"),
    *_g("inventory.replenishment", "read", "create"),
    *_g("inventory.supplier_returns", "read", "create"),
    *_g("inventory.valuation", "read"),
    *_g("orders.review", "read"),
    *_g("orders.waves", "read", "update"),
    *_g("orders.fulfilment", "read"),
    *_g("orders.aftersales", "read", "approve"),
    *_g("people.attendance", "approve"),
    *_g("people.training", "create", "update"),
)
WH_ORDER_CLERK = (
    *_g("inventory.skus", "read"),
    *_g("inventory.stock", "read"),
    *_g("inventory.receipts", "read", "receive"),
    *_g("orders.orders", "read", "update"),
    *_g("orders.customers", "read"),  # address on the express label
    *_g("orders.review", "read", "create", "update", "complete"),
    *_g("orders.waves", "read", "create", "update", "ship"),
    *_g("orders.fulfilment", "read", "create"),
    *_g("orders.exceptions", "read", "create"),
)
WH_CLERK = (
    *_g("inventory.skus", "read"),
    *_g("inventory.stock", "read"),
    *_g("inventory.ledger", "read"),
    *_g("inventory.receipts", "read"),
    *_g("inventory.supplier_returns", "read", "create"),
    *_g("orders.orders", "read", "update"),
    *_g("orders.customers", "read"),  # address and carrier changes with customer service
    *_g("orders.exceptions", "read", "create", "update"),
    *_g("orders.aftersales", "read", "update", "receive"),
    *_g("orders.fulfilment", "read"),
)
WH_KEEPER = (
    *_g("inventory.skus", "read"),
    *_g("inventory.stock", "read"),
    *_g("inventory.bins", "read", "update"),
    *_g("inventory.receipts", "read", "sign"),
    *_g("inventory.transfers", "read", "create", "ship", "receive"),
    *_g("inventory.counts", "read", "create", "update"),
    *_g("inventory.samples", "read", "create", "update"),
    *_g("inventory.holds", "read"),
    *_g("inventory.supplier_returns", "read"),
    *_g("orders.fulfilment", "read", "update"),
    *_g("orders.waves", "read"),
)
WH_VERIFIER = (
    *_g("orders.fulfilment", "read", "inspect", "update"),
    *_g("orders.waves", "read"),
    *_g("orders.exceptions", "read", "create"),
)
WH_PACKER = (
    *_g("orders.fulfilment", "read", "update"),
    *_g("orders.waves", "read"),
    *_g("inventory.supplier_returns", "create"),  # defectives found while packing
)
WH_STATISTICIAN = (
    *_g("inventory.skus", "read"),
    *_g("inventory.stock", "read"),
    *_g("inventory.ledger", "read"),
    *_g("inventory.valuation", "read"),
    *_g("inventory.receipts", "read", "update", "complete"),
    *_g("inventory.transfers", "read", "complete"),
    *_g("inventory.samples", "read", "update"),
    *_g("inventory.holds", "read", "release"),
    *_g("inventory.counts", "read", "update"),
    *_g("inventory.supplier_returns", "read", "create", "complete"),
    *_g("orders.aftersales", "read", "receive", "approve"),
    *_g("orders.fulfilment", "read"),
)
QC_INSPECTOR = (
    *_g("inventory.skus", "read"),
    *_g("inventory.stock", "read"),
    *_g("inventory.receipts", "read", "inspect"),
    *_g("inventory.supplier_returns", "read", "create"),
    *_g("orders.aftersales", "read", "inspect", "sign"),
)
WH_RECEIVER = (
    *_g("inventory.skus", "read"),
    *_g("inventory.receipts", "read", "create", "receive"),
    *_g("inventory.supplier_returns", "read", "create", "ship"),
)
HR_SPECIALIST = (
    "people.departments.*",
    "people.positions.*",
    "people.employees.*",
    "people.salaries.*",
    "people.accounts.*",
    "people.training.*",
    "people.attendance.*",
    *_g("people.roles", "read"),
    *_g("people.tokens", "read", "revoke"),
    *_g("people.events", "read"),
    *_g("performance.appraisals", "read", "read_all", "update", "approve"),
    *_g("performance.commission", "read", "read_all"),
    *_g("performance.statements", "read", "read_all"),
    *_g("performance.reports", "read"),
)
FINANCE_SPECIALIST = (
    *_g("people.employees", "read"),
    *_g("people.salaries", "read", "read_all"),
    *_g("performance.commission", "read", "read_all"),
    *_g("performance.statements", "read", "read_all", "approve", "issue"),
    *_g("performance.facts", "read"),
    *_g("performance.reports", "read"),
    *_g("inventory.stock", "read"),
    *_g("inventory.ledger", "read"),
    *_g("inventory.valuation", "read"),
    *_g("inventory.supplier_returns", "read"),
    *_g("orders.orders", "read"),
    *_g("orders.refunds", "read"),
)
GM = (
    "inventory.*.read",
    *_g("inventory.replenishment", "approve"),
    *_g("inventory.supplier_returns", "approve"),
    *_g("orders.orders", "read"),
    *_g("orders.fulfilment", "read"),
    *_g("orders.waves", "read"),
    *_g("orders.review", "read"),
    *_g("orders.exceptions", "read"),
    *_g("orders.aftersales", "read"),
    *_g("orders.refunds", "read"),
    *_g("orders.complaints", "read"),
    *_g("orders.ratings", "read"),
    *_g("orders.events", "read"),
    "people.*.read",
    *_g("people.attendance", "approve"),
    *_g("people.training", "approve"),
    "performance.*.read",
    *_g("performance.targets", "create", "update", "approve"),
    *_g("performance.appraisals", "approve"),
    *_g("performance.statements", "approve"),
)
ADMIN = ("*",)

# Service accounts (`svc-<name>` clients get role `svc_<name>`): what one service may ask of
# another (ARCHITECTURE: orders reserves/releases/commits stock; performance reads the feeds).
# Every service polls people's revocation list (ListRevocations) with its own account.
SVC_COMMON = (*_g("people.tokens", "read"),)
SVC_ORDERS = (
    *SVC_COMMON,
    "inventory.reservations.*",
    "inventory.returns.*",
    *_g("inventory.stock", "read"),
    *_g("inventory.events", "read"),
)
SVC_PERFORMANCE = (
    *SVC_COMMON,
    *_g("inventory.events", "read"),
    *_g("inventory.valuation", "read"),
    *_g("orders.events", "read"),
    *_g("people.events", "read"),
)
SVC_INVENTORY = (*SVC_COMMON, *_g("orders.events", "read"))


# Permissions the services declared after the first role table; migration 0005 grants them.
GRANTS_ADDED_0005: dict[str, tuple[str, ...]] = {
    "sales_rep": ("inventory.holds.update",),
    "sales_manager": ("inventory.holds.update",),
    "wh_supervisor": (
        "inventory.ledger.inspect",
        "inventory.ledger.approve",
        "inventory.transfers.cancel",
        "orders.orders.ship",
    ),
    "wh_keeper": ("inventory.transfers.cancel",),
    "wh_statistician": ("inventory.ledger.inspect",),
    "wh_order_clerk": ("orders.orders.ship",),
    "finance_specialist": ("inventory.ledger.inspect", "performance.commission.update"),
    "cs_specialist": ("orders.ratings.create",),
    "cs_supervisor": ("orders.ratings.create",),
    "data_analyst": ("performance.kpis.update",),
    "ops_manager": ("performance.kpis.update",),
    "ops_director": ("performance.kpis.update",),
    "hr_specialist": ("performance.audit.read",),
}


def _role(code: str, name: str, patterns: tuple[str, ...]) -> Role:
    return Role.define(code=code, name=name, patterns=(*patterns, *GRANTS_ADDED_0005.get(code, ())))


DEFAULT_ROLES: tuple[Role, ...] = (
    _role("employee", "Employee self-service", EMPLOYEE),
    _role("ops_specialist", "Operations specialist", OPS_SPECIALIST),
    _role("ops_supervisor", "Operations supervisor", OPS_SUPERVISOR),
    _role("ops_manager", "Operations manager", OPS_MANAGER),
    _role("ops_director", "Operations director", OPS_DIRECTOR),
    _role("promotion_specialist", "Promotion specialist", PROMOTION_SPECIALIST),
    _role("cs_specialist", "Customer service specialist", CS_SPECIALIST),
    _role("cs_supervisor", "Customer service supervisor", CS_SUPERVISOR),
    _role("data_analyst", "Data analyst", DATA_ANALYST),
    _role("marketing_manager", "Marketing manager", MARKETING_MANAGER),
    _role("marketing_specialist", "Marketing specialist", MARKETING_SPECIALIST),
    _role("sales_manager", "Sales manager", SALES_MANAGER),
    _role("sales_rep", "Sales representative", SALES_REP),
    _role("wh_supervisor", "Warehouse supervisor", WH_SUPERVISOR),
    _role("wh_order_clerk", "Order-document clerk", WH_ORDER_CLERK),
    _role("wh_clerk", "Warehouse clerk", WH_CLERK),
    _role("wh_keeper", "Warehouse keeper", WH_KEEPER),
    _role("wh_verifier", "Verifier-weigher", WH_VERIFIER),
    _role("wh_packer", "Packer", WH_PACKER),
    _role("wh_statistician", "Stock statistician", WH_STATISTICIAN),
    _role("qc_inspector", "QC inspector", QC_INSPECTOR),
    _role("wh_receiver", "Receiver", WH_RECEIVER),
    _role("hr_specialist", "HR specialist", HR_SPECIALIST),
    _role("finance_specialist", "Finance specialist", FINANCE_SPECIALIST),
    _role("gm", "General manager's office", GM),
    _role("admin", "Administrator", ADMIN),
    _role("svc_orders", "Service account: orders", SVC_ORDERS),
    _role("svc_performance", "Service account: performance", SVC_PERFORMANCE),
    _role("svc_inventory", "Service account: inventory", SVC_INVENTORY),
)

DEFAULT_ROLES_BY_CODE: Mapping[str, Role] = MappingProxyType(
    {role.code: role for role in DEFAULT_ROLES}
)

# Every position's role is named like the position; `employee` is added for everyone.
DEFAULT_POSITION_ROLES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        code: ("employee", code)
        for code in (
            "ops_specialist", "ops_supervisor", "ops_manager", "ops_director",
            "promotion_specialist", "cs_supervisor", "cs_specialist", "data_analyst",
            "marketing_manager", "marketing_specialist", "sales_manager", "sales_rep",
            "wh_supervisor", "wh_order_clerk", "wh_clerk", "wh_keeper", "wh_verifier",
            "wh_packer", "wh_statistician", "qc_inspector", "wh_receiver", "hr_specialist",
            "finance_specialist", "gm", "admin",
        )
    }
)  # fmt: skip


def default_roles_for_position(position_code: str) -> tuple[str, ...]:
    """The roles a new employee in `position_code` receives (just `employee` if unmapped)."""
    return DEFAULT_POSITION_ROLES.get(position_code, ("employee",))
