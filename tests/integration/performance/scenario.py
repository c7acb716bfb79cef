"""March 2026 of a small e-commerce department, as the three feeds tell it.

S1 supervises (ops_supervisor, 3,500) and reports to GM1; P1 promotes (promotion_specialist,
2,000); C1 and C2 do customer service (cs_specialist, 2,000). C2 joined on 2025-12-01 and leaves
on 2026-03-15, inside the first year. February: P1 sold 500.00. March: P1 1,200.00 (O1, 200.00
of it refunded on the 25th) and 100.00 unpaid (O4); C1 400.00 (O2); C2 300.00 placed on the
10th but paid on the 20th, after leaving (O3). C1 was late 4 times (10 minutes) and absent one
whole day.
"""

from __future__ import annotations

from tests.integration.performance import events as ev

MONTH = "2026-03"


def feeds() -> dict[str, ev.Feed]:
    people, orders, inventory = ev.Feed("people"), ev.Feed("orders"), ev.Feed("inventory")
    ev.hired(people, "GM1", "gm", "gm_office", "", "2020-01-01", 900_000)
    ev.hired(people, "S1", "ops_supervisor", "operations", "GM1", "2024-01-01", 350_000)
    ev.hired(people, "P1", "promotion_specialist", "operations", "S1", "2025-06-01", 200_000)
    ev.hired(people, "C1", "cs_specialist", "customer_service", "S1", "2025-01-01", 200_000)
    ev.hired(people, "C2", "cs_specialist", "customer_service", "S1", "2025-12-01", 200_000)
    ev.hired(people, "W1", "wh_keeper", "warehouse", "", "2025-01-01", 180_000)
    ev.training(people, "C1", "T-2026-1", "88.5", "2026-03-06 15:00")
    ev.left(people, "C2", "2025-12-01", "2026-03-15")
    ev.attendance(
        people,
        "C1",
        MONTH,
        [
            ("2026-03-02", "LATE", 10),
            ("2026-03-03", "LATE", 10),
            ("2026-03-04", "LATE", 10),
            ("2026-03-05", "LATE", 10),
            ("2026-03-10", "ABSENT_FULL_DAY", 0),
        ],
    )

    ev.placed(orders, "O0", "P1", 50_000, "2026-02-10 10:00", paid=True)
    ev.placed(orders, "O1", "P1", 120_000, "2026-03-02 10:00", paid=True, units=3)
    ev.shipped(orders, "O1", "P1", 120_000, "2026-03-02 10:00", "2026-03-02 16:00")
    ev.placed(orders, "O2", "C1", 40_000, "2026-03-05 18:30", paid=True, units=2)
    ev.shipped(orders, "O2", "C1", 40_000, "2026-03-05 18:30", "2026-03-07 11:00")
    ev.placed(orders, "O3", "C2", 30_000, "2026-03-10 11:00", paid=False)
    ev.placed(orders, "O4", "P1", 10_000, "2026-03-12 11:00", paid=False)
    ev.paid(orders, "O3", "C2", 30_000, "2026-03-10 11:00", "2026-03-20 09:00")
    ev.refunded(orders, "R1", "O1", "P1", 120_000, "2026-03-02 10:00", 20_000, "2026-03-25 14:00")
    ev.rated(orders, "O1", "P1", 120_000, "2026-03-02 10:00", 5, "2026-03-08 12:00")

    ev.received(inventory, "TEA-1", 100, 200_000, "2026-02-01 09:00")
    ev.issued(inventory, "TEA-1", 3, 6_000, "2026-03-02 16:00")
    ev.issued(inventory, "TEA-1", 2, 4_000, "2026-03-07 11:00")
    return {"people": people, "orders": orders, "inventory": inventory}
