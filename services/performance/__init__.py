"""Performance service: KPIs, appraisals, grades, commission, performance pay and payroll.

The rules live in `services.performance.domain` (pure, no I/O); use-case handlers, the database
adapters and the gRPC API are layered around it.
"""
