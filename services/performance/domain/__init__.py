"""Pure domain layer of the performance service (no I/O, no clock, no database, no grpc).

Modules by business concept:
- money, period, completion, explained, validation: value types shared by the rules;
- commission_tables, seed_tables: versioned commission rate tables (seed 003 篇1 (三));
- commission, commission_conditions: group commission, sharing, which payments count;
- performance_pay, grades, attendance: pay rules (seed 003 篇1 三, seed 004);
- targets, appraisal, annual_appraisal, kpis, kpi_scoring, roles: planning and appraisal;
- payroll, payroll_builder: explained monthly statements; reports: aggregations.

Money is int minor units; rates are Decimal; ratios are exact Fractions; every rounding is
ROUND_HALF_UP and stated where it happens.
"""
