"""tools.load.explain picks each hot statement's last plan out of auto_explain's log."""

from __future__ import annotations

from tools.load.explain import _plans

LOG = """\
2026-11-24 07:16:10.330 UTC [1] WARNING:  duration: 0.050 ms  plan:
\tQuery Text: UPDATE orders SET status = $1 WHERE order_id = $2
\tUpdate on orders  (actual time=0.040..0.040 rows=1.00 loops=1)
\t  ->  Seq Scan on orders
2026-11-24 07:16:10.331 UTC [1] WARNING:  duration: 0.030 ms  plan:
\tQuery Text: UPDATE orders SET status = $1 WHERE order_id = $2
\tUpdate on orders  (actual time=0.020..0.020 rows=1.00 loops=1)
\t  ->  Index Scan using orders_pkey on orders
2026-11-24 07:16:10.332 UTC [1] WARNING:  duration: 0.020 ms  plan:
\tQuery Text: WITH o AS (INSERT INTO orders (order_id, channel, external_order_id) VALUES ($1)
\t  Conflict Resolution: NOTHING
\t  Conflicting Tuples: 0
2026-11-24 07:16:10.333 UTC [1] WARNING:  duration: 0.010 ms  plan:
\tQuery Text: WITH o AS (INSERT INTO orders (order_id, channel, external_order_id) VALUES ($1)
\t  Conflict Resolution: NOTHING
\t  Conflicting Tuples: 1
2026-11-24 07:16:10.334 UTC [1] LOG:  checkpoint starting: time
"""


def test_the_last_plan_of_each_statement_is_kept() -> None:
    plans = _plans(LOG)
    assert "Index Scan using orders_pkey" in plans["orders: record the saga's answer"]
    assert "Seq Scan" not in plans["orders: record the saga's answer"]


def test_a_retried_insert_that_only_met_its_first_attempt_is_skipped() -> None:
    assert "Conflicting Tuples: 0" in _plans(LOG)["orders: store the placed order"]


def test_statements_not_in_the_log_are_absent() -> None:
    assert "inventory reserve (one statement)" not in _plans(LOG)
    assert _plans("") == {}
