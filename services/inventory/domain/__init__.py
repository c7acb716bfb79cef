"""Pure inventory rules: no I/O, no clock, no framework. Use-case handlers call these.

Modules, by business concept:
- `validation`, `money`, `stock_lines`: input checks, money in minor units, SKU × quantity lines.
- `roles`, `signatures`: who signs which document before it is posted.
- `qc`, `receipts`, `labels`: receiving — QC sampling per line, the receipt lifecycle, labels.
- `lots`, `valuation`: FIFO lots, cost of goods issued, stock value and turnover.
- `ledger`, `reservations`: the append-only stock ledger, balances, reservations.
- `transfers`, `cycle_counts`, `abc_classes`: moving and counting stock.
- `photo_samples`, `holds`, `supplier_returns`: loans, customer holds, returns to suppliers.
- `replenishment`, `packaging`: restock planning and packaging-material alerts.

Every settings dataclass (``*Policy``, ``StockLimits``, ``AbcThresholds``…) documents in its
module docstring which seed rule each default reflects.
"""
