"""Where a running local stack can be found: a small file it writes once it answers, and removes
when it stops, so that tools such as ``make feed`` find its ports without being told.

The file (``.local/stack.json`` in the project, or ``PORTAL_LOCAL_STATE``) holds the process id,
the two URLs and the names of the resources the stack provisioned: nothing secret. A stack that
died without removing it (killed) leaves it behind; ``running_stack`` then checks that the
process lives and its API answers before believing it.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
STATE_VARIABLE = "PORTAL_LOCAL_STATE"
DEFAULT_STATE_FILE = PROJECT_DIR / ".local" / "stack.json"


@dataclass(frozen=True)
class StackState:
    pid: int
    api_url: str
    aws_url: str
    environment: dict[str, str] = field(default_factory=dict)  # the functions' PORTAL_* variables


def state_file(environ: Mapping[str, str] = os.environ) -> Path:
    return Path(environ.get(STATE_VARIABLE) or DEFAULT_STATE_FILE)


def write_state(path: Path, state: StackState) -> None:
    """Written whole or not at all (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{state.pid}")
    partial.write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")
    partial.replace(path)


def remove_state(path: Path, pid: int) -> None:
    """Only this process's file: another stack started since has written its own."""
    current = read_state(path)
    if current is not None and current.pid == pid:
        path.unlink(missing_ok=True)


def read_state(path: Path) -> StackState | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return StackState(
            pid=int(data["pid"]),
            api_url=str(data["api_url"]),
            aws_url=str(data["aws_url"]),
            environment={str(k): str(v) for k, v in dict(data.get("environment") or {}).items()},
        )
    except (OSError, ValueError, KeyError, TypeError):  # none, or not one a stack wrote
        return None


def _process_lives(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: asks whether the process exists, sends nothing
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _answers(api_url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/v1/health", timeout=timeout) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def running_stack(path: Path, timeout: float = 3.0) -> StackState | None:
    """The stack described by ``path`` if it is running and answering, else None."""
    state = read_state(path)
    if state is None or not _process_lives(state.pid) or not _answers(state.api_url, timeout):
        return None
    return state
