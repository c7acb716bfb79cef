"""Pure rules of the people service (no I/O, no clock, no framework).

One module per business concept: `organisation` pieces (departments, positions, employees,
reporting_lines, employment_history), access (permissions, roles, default_roles,
confidentiality, passwords, login_lockout, tokens), training (training_courses, training_plans,
training_sessions, training_reports) and attendance (working_time, leave, attendance_policy,
attendance_day, attendance_month). Use-case handlers import the module they need directly.
"""
