"""The deployment package, before and after `make package`'s trim (infra/package_trim.py): its size
unzipped and zipped and its number of files, and what a cold start pays with and without the
bytecode the trim compiles.

The package is built here as `make package` builds it (chalice package --stage prod, then the
trim on a copy), so the figures are this checkout's. The cold start runs from the unzipped package
alone, as Lambda's runtime sees it: a fresh interpreter with nothing on its path but the package and
the standard library (-I -S), importing app.py and serving its first request
(bench/first_request_child.py: GET /v1/health/deep, AWS answered in-process). Without bytecode is
the same trimmed package with its __pycache__ directories removed and -B (Lambda cannot write
bytecode either): every cold start compiles from source. The sides take turns; CPU time is the
child's own (time.process_time), medians.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from bench.table import Row
from bench.xray_cost import UNTRACED, child_environment
from infra import package_trim

PROJECT_DIR = Path(__file__).resolve().parents[1]
# BENCH_QUICK=1 (the harness's smoke test): one turn, the figures then mean nothing.
TURNS = 1 if os.environ.get("BENCH_QUICK") == "1" else 5
CHILD = PROJECT_DIR / "bench" / "first_request_child.py"
RUN_FROM = "import runpy, sys; sys.path.insert(0, sys.argv[1]); runpy.run_path(sys.argv[2], run_name='__main__')"


def chalice_package(out: Path) -> Path:
    """`make package`'s first step into ``out``; its deployment.zip."""
    chalice = Path(sys.executable).with_name("chalice")
    command = [str(chalice), "package", "--stage", "prod", "--merge-template", "infra/template.yaml", str(out)]
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
    subprocess.run(command, cwd=PROJECT_DIR, env=env, check=True, capture_output=True, timeout=900)
    return out / "deployment.zip"


def largest_parts(zip_path: Path, count: int = 6) -> str:
    """The package's largest top-level parts (a library, chalicelib), unzipped: what the size is made of."""
    parts: Counter[str] = Counter()
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            top = info.filename.split("/", 1)[0]
            parts["fhir.resources" if top == "fhir" else top] += info.file_size
    return ", ".join(f"{name} {size / 1e6:.1f}" for name, size in parts.most_common(count)) + " MB"


def sizes(zip_path: Path) -> dict[str, float]:
    with zipfile.ZipFile(zip_path) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
    return {
        "unzipped_mb": sum(info.file_size for info in members) / 1e6,
        "bytecode_mb": sum(info.file_size for info in members if info.filename.endswith(".pyc")) / 1e6,
        "zipped_mb": zip_path.stat().st_size / 1e6,
        "files": float(len(members)),
    }


def cold_start(task: Path, compiled: bool) -> dict[str, float]:
    flags = ["-I", "-S"] + ([] if compiled else ["-B"])
    done = subprocess.run(
        [sys.executable, *flags, "-c", RUN_FROM, str(task), str(CHILD)],
        cwd=task,
        env={**child_environment(task), **UNTRACED},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the packaged function failed to start: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(turns: int = TURNS) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]], str]:
    with tempfile.TemporaryDirectory(prefix="bench-package-") as scratch:
        root = Path(scratch)
        untrimmed = chalice_package(root / "package")
        trimmed = root / "trimmed.zip"
        shutil.copyfile(untrimmed, trimmed)
        package_trim.trim_zip(trimmed)
        size = {"untrimmed": sizes(untrimmed), "trimmed": sizes(trimmed)}
        parts = largest_parts(trimmed)
        print(f"package_size: largest parts after the trim: {parts}")

        with_bytecode, source_only = root / "with-bytecode", root / "source-only"
        with zipfile.ZipFile(trimmed) as archive:
            archive.extractall(with_bytecode)
        shutil.copytree(with_bytecode, source_only, ignore=shutil.ignore_patterns("__pycache__"))
        samples: dict[str, list[dict[str, float]]] = {"bytecode": [], "source": []}
        for _ in range(turns):
            samples["source"].append(cold_start(source_only, compiled=False))
            samples["bytecode"].append(cold_start(with_bytecode, compiled=True))
    start = {side: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for side, runs in samples.items()}
    return size, start, parts


def rows(turns: int = TURNS) -> list[Row]:
    size, start, parts = measure(turns)
    before, after = size["untrimmed"], size["trimmed"]
    bytecode, source = start["bytecode"], start["source"]
    how = (
        f"from the unzipped package alone (python -I -S), fresh process per sample, {turns} turns each side, "
        "medians; floor: the same trimmed package without its bytecode (-B), compiled at every cold start"
    )
    return [
        Row(
            "package unzipped, after the trim (with bytecode)",
            after["unzipped_mb"],
            "MB",
            "<= 30 MB",
            note=(
                f"of which bytecode {after['bytecode_mb']:.1f} MB; largest parts: {parts}; "
                f"chalice's package before the trim: {before['unzipped_mb']:.1f} MB unzipped, "
                f"{before['zipped_mb']:.1f} MB zipped, {before['files']:,.0f} files (no bytecode)"
            ),
        ),
        Row("package zipped, after the trim", after["zipped_mb"], "MB", "-"),
        Row("package files, after the trim", after["files"], "files", "-"),
        Row(
            "cold import of the packaged app.py, bytecode shipped (floor: without)",
            bytecode["import_cpu_ms"],
            "ms CPU",
            "< 1.00x floor",
            floor=source["import_cpu_ms"],
            note=how,
        ),
        Row(
            "cold import + first request from the package, bytecode shipped (floor: without)",
            bytecode["first_cpu_ms"],
            "ms CPU",
            "< 1.00x floor",
            floor=source["first_cpu_ms"],
            note=f"GET /v1/health/deep after the import; wall {bytecode['first_wall_ms']:.0f} vs "
            f"{source['first_wall_ms']:.0f} ms",
        ),
    ]


def main() -> None:
    for row in rows():
        print(row)


if __name__ == "__main__":
    main()
