"""A service's process family: the process and its worker children (each its own Python)."""

from __future__ import annotations

import psutil


def process_family(pid: int) -> list[psutil.Process]:
    """The process and all its descendants; empty if it has gone."""
    try:
        process = psutil.Process(pid)
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return []
