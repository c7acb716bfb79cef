"""No key, password or secret value is tracked in git."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
KEY_FILE = re.compile(r"\.(pem|key|p12|pfx|jwk)$|(^|/)id_(rsa|ed25519)")
SECRET_TEXT = re.compile(
    rb"-----BEGIN [A-Z ]*PRIVATE KEY-----"
    rb"|AKIA[0-9A-Z]{16}"
    rb"|(?i:(password|secret|api_key)\s*[:=]\s*[\"'][^\"'\s]{12,}[\"'])"
)
ALLOWED = {"tests/unit/common/test_secrets_in_git.py"}


def tracked_files() -> list[str]:
    output = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [line for line in output.stdout.splitlines() if line]


def test_no_key_files_are_tracked() -> None:
    assert [f for f in tracked_files() if KEY_FILE.search(f)] == []


def test_no_secret_values_in_tracked_files() -> None:
    offenders = []
    for name in tracked_files():
        path = ROOT / name
        if name in ALLOWED or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        if SECRET_TEXT.search(path.read_bytes()):
            offenders.append(name)
    assert offenders == []


def test_local_state_and_generated_code_are_ignored() -> None:
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in ("/gen/", "/var/", "/.venv/"):
        assert entry in ignored
