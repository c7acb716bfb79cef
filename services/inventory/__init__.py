"""Inventory service: SKUs, warehouses, lots, receipts with QC, stock ledger, reservations."""
