"""Approved statements and their lines can no longer change, whatever the caller (the service
already never tries: corrections are new statements).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_STATEMENT_CLOSED = """
CREATE FUNCTION performance_statement_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state = 'APPROVED' THEN
    RAISE EXCEPTION 'statement % % % is approved: it never changes; issue a correction',
      OLD.employee_code, OLD.month, OLD.sequence USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$
"""

_LINES_CLOSED = """
CREATE FUNCTION performance_statement_lines_closed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  line statement_lines;
BEGIN
  line := CASE WHEN TG_OP = 'INSERT' THEN NEW ELSE OLD END;
  IF EXISTS (SELECT 1 FROM statements s WHERE s.employee_code = line.employee_code
             AND s.month = line.month AND s.sequence = line.sequence AND s.state = 'APPROVED') THEN
    RAISE EXCEPTION 'statement % % % is approved: its lines never change',
      line.employee_code, line.month, line.sequence
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$
"""


def upgrade() -> None:
    op.execute(_STATEMENT_CLOSED)
    op.execute(
        "CREATE TRIGGER statements_closed BEFORE UPDATE OR DELETE ON statements "
        "FOR EACH ROW EXECUTE FUNCTION performance_statement_closed()"
    )
    op.execute(_LINES_CLOSED)
    op.execute(
        "CREATE TRIGGER statement_lines_closed BEFORE INSERT OR UPDATE OR DELETE ON "
        "statement_lines FOR EACH ROW EXECUTE FUNCTION performance_statement_lines_closed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER statement_lines_closed ON statement_lines")
    op.execute("DROP FUNCTION performance_statement_lines_closed()")
    op.execute("DROP TRIGGER statements_closed ON statements")
    op.execute("DROP FUNCTION performance_statement_closed()")
