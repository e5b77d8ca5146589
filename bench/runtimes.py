"""The Lambda runtime, old against new: the cold import of app.py and the first request after it
(bench/first_request_child.py: GET /v1/health/deep, AWS answered in-process) on Python 3.11 and on
Python 3.13, each in a fresh process of its own virtualenv, the two taking turns; CPU time
(time.process_time in the child), medians. Each runtime reads its own bytecode (written by a first
run outside the samples), as a packaged function does.

Each runtime's virtualenv holds requirements.txt and chalice (what the functions import) and is made on first
use under build/bench-venvs/, again when requirements.txt changes. The interpreters are found as
the Makefile finds them: pyenv's versions directory, then the PATH. A runtime with no interpreter
on this machine is left out of the table, with a line saying so.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.table import Row
from bench.xray_cost import UNTRACED, first_request

PROJECT_DIR = Path(__file__).resolve().parents[1]
VENVS = PROJECT_DIR / "build" / "bench-venvs"
OLD, NEW = "3.11", "3.13"
# BENCH_QUICK=1 (the harness's smoke test): one turn, the figures then mean nothing.
TURNS = 1 if os.environ.get("BENCH_QUICK") == "1" else 5


def interpreter(version: str) -> str | None:
    """A python<version> executable: the running one, pyenv's, or the PATH's (which may be a pyenv
    shim that only answers when the version is selected: asked to run, not just found)."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        return sys.executable
    candidates = sorted(Path.home().glob(f".pyenv/versions/{version}*/bin/python{version}"))
    candidates += [Path(f"python{version}")]
    for candidate in candidates:
        try:
            found = subprocess.run(
                [str(candidate), "-c", "import sys; print(sys.executable)"], capture_output=True, text=True, timeout=30
            )
        except OSError:
            continue
        if found.returncode == 0:
            return found.stdout.strip()
    return None


def chalice_pin() -> str:
    """chalice as requirements-dev.txt pins it: the deployed package carries it (chalice adds it)."""
    for line in (PROJECT_DIR / "requirements-dev.txt").read_text().splitlines():
        if line.startswith("chalice=="):
            return line.strip()
    raise RuntimeError("requirements-dev.txt pins no chalice")


def runtime_python(version: str) -> str | None:
    """The python of a virtualenv for ``version`` holding requirements.txt (made if need be)."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        return sys.executable  # the bench's own virtualenv holds requirements.txt already
    base = interpreter(version)
    if base is None:
        return None
    venv = VENVS / f"python{version}"
    python = venv / "bin" / "python"
    wanted = hashlib.sha256((PROJECT_DIR / "requirements.txt").read_bytes() + chalice_pin().encode()).hexdigest()
    stamp = venv / ".requirements-sha256"
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        print(f"runtimes: installing requirements.txt for Python {version} into {venv} (a minute or two)")
        subprocess.run([base, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(PROJECT_DIR / "requirements.txt"), chalice_pin()],
            check=True,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
        stamp.write_text(wanted)
    return str(python)


def rows(turns: int = TURNS) -> list[Row]:
    pythons = {version: runtime_python(version) for version in (OLD, NEW)}
    missing = [version for version, python in pythons.items() if python is None]
    if missing:
        print(f"runtimes: no Python {', '.join(missing)} on this machine: the runtimes are not compared")
        return []
    for python in pythons.values():
        first_request(str(python), UNTRACED)  # each runtime's bytecode written once, outside the samples
    samples: dict[str, list[dict[str, float]]] = {OLD: [], NEW: []}
    for _ in range(turns):
        for version in (OLD, NEW):
            samples[version].append(first_request(str(pythons[version]), UNTRACED))
    old, new = ({k: statistics.median(r[k] for r in samples[v]) for k in samples[v][0]} for v in (OLD, NEW))
    how = (
        f"fresh process per sample in each runtime's virtualenv (requirements.txt and chalice), bytecode present, "
        f"{turns} turns each, medians"
    )
    return [
        Row(
            f"cold import of app.py on python{NEW} (floor: python{OLD})",
            new["import_cpu_ms"],
            "ms CPU",
            "<= 1.10x floor",
            floor=old["import_cpu_ms"],
            note=how,
        ),
        Row(
            f"cold import + first request on python{NEW} (floor: python{OLD})",
            new["first_cpu_ms"],
            "ms CPU",
            "<= 1.10x floor",
            floor=old["first_cpu_ms"],
            note=f"GET /v1/health/deep; wall {new['first_wall_ms']:.0f} vs {old['first_wall_ms']:.0f} ms",
        ),
    ]


def main() -> None:
    for row in rows():
        print(row)


if __name__ == "__main__":
    main()
