"""The retry table of docs/reliability.md, generated from the protos' `idempotency_level` (the
same option the gateway derives its retries from, gateway/catalog.py).

    python -m tools.soak.retry_table            # print the section
    python -m tools.soak.retry_table --write    # refresh it in docs/reliability.md

A test keeps the committed section equal to what this prints.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor_pb2 import MethodOptions

ROOT = Path(__file__).resolve().parent.parent.parent
DESCRIPTORS = ROOT / "gen" / "storeops.binpb"
DOC = ROOT / "docs" / "reliability.md"
BEGIN = "<!-- retry-table:begin (python -m tools.soak.retry_table --write) -->"
END = "<!-- retry-table:end -->"

READ = "NO_SIDE_EFFECTS"
WRITE = "IDEMPOTENT"
ONCE = "IDEMPOTENCY_UNKNOWN"


def levels(descriptor_set: Path = DESCRIPTORS) -> dict[str, dict[str, list[str]]]:
    """service full name → level name → method names (proto order)."""
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes())
    found: dict[str, dict[str, list[str]]] = {}
    for file in files.file:
        if not file.package.startswith("storeops."):
            continue
        for service in file.service:
            by_level: dict[str, list[str]] = defaultdict(list)
            for method in service.method:
                options = MethodOptions.FromString(method.options.SerializeToString())
                level = MethodOptions.IdempotencyLevel.Name(options.idempotency_level)
                by_level[level].append(method.name)
            found[f"{file.package}.{service.name}"] = dict(by_level)
    return dict(sorted(found.items()))


def section(descriptor_set: Path = DESCRIPTORS) -> str:
    lines = [BEGIN, ""]
    total = {READ: 0, WRITE: 0, ONCE: 0}
    for service, by_level in levels(descriptor_set).items():
        short = service.split(".")[1]
        lines.append(f"**{short}** (`{service}`)")
        lines.append("")
        for level, title in (
            (READ, "reads — retried (`NO_SIDE_EFFECTS`)"),
            (WRITE, "idempotent writes — retried (`IDEMPOTENT`)"),
            (ONCE, "never retried once they reached the service"),
        ):
            names = by_level.get(level, [])
            total[level] += len(names)
            shown = ", ".join(sorted(names)) if names else "—"
            lines.append(f"- {title}: {shown}")
        lines.append("")
    lines.append(
        f"{sum(total.values())} RPCs: {total[READ]} reads and {total[WRITE]} idempotent writes "
        f"the gateway retries, {total[ONCE]} it does not."
    )
    lines.append("")
    lines.append(END)
    return "\n".join(lines)


def committed(doc: Path = DOC) -> str:
    text = doc.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[start:end]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.soak.retry_table")
    parser.add_argument("--write", action="store_true", help=f"refresh the section in {DOC.name}")
    args = parser.parse_args(argv)
    fresh = section()
    if not args.write:
        print(fresh)
        return 0
    DOC.write_text(DOC.read_text().replace(committed(), fresh))
    return 0


if __name__ == "__main__":
    sys.exit(main())
