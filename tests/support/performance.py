"""Waiting for the performance service to have consumed the people feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def performance_knows(get: Callable[[str], Any], codes: set[str]) -> bool:
    """Every employee in `codes` is among performance's employee facts (`get` returns a body)."""
    known: set[str] = set()
    token = ""
    while True:
        page = get(f"/v1/performance/facts/employees?page_size=500&page_token={token}")
        known |= {e["employeeCode"] for e in page.get("employees", [])}
        token = page.get("nextPageToken", "")
        if not token:
            return codes <= known
