"""A small Dockerfile reader (hadolint is not available here): instructions grouped by stage."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    comments: tuple[str, ...]  # the comment lines just above it

    def words(self) -> list[str]:
        """Exec form (`["a", "b"]`) or shell words, with `--flag=…` options left in."""
        text = self.arguments.strip()
        if text.startswith("["):
            return [str(w) for w in json.loads(text)]
        return shlex.split(text)


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


@dataclass
class Dockerfile:
    args: dict[str, str]  # ARG defaults declared before the first FROM
    stages: list[Stage]
    comments: list[str]

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def resolve(self, text: str) -> str:
        return re.sub(r"\$\{?(\w+)\}?", lambda m: self.args.get(m[1], m[0]), text)


def parse(path: Path) -> Dockerfile:
    args: dict[str, str] = {}
    stages: list[Stage] = []
    comments: list[str] = []
    pending: list[str] = []
    logical = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not logical and line.startswith("#"):
            pending.append(line.lstrip("#").strip())
            comments.append(pending[-1])
            continue
        if logical and line.startswith("#"):
            continue  # a comment inside a continued instruction
        if not line and not logical:
            pending = []
            continue
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical += line
        keyword, _, rest = logical.partition(" ")
        instruction = Instruction(keyword.upper(), rest.strip(), tuple(pending))
        logical, pending = "", []
        if instruction.keyword == "FROM":
            words = instruction.arguments.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(words[0], name))
        elif instruction.keyword == "ARG" and not stages:
            key, _, default = instruction.arguments.partition("=")
            args[key] = default
        elif stages:
            stages[-1].instructions.append(instruction)
    return Dockerfile(args, stages, comments)
