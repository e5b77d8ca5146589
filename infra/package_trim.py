"""The step of `make package` after `chalice package`: the deployment zip made smaller and quicker
to start, rewritten in place.

chalice vendors every dependency whole, as source only. Lambda's code directory is read-only, so
a function can never write the bytecode it compiles: every cold start compiled every module it
imported from source, and the package carried what the portal never loads (the models of 400 AWS
services, two FHIR versions besides R4B, C sources and debug symbols of compiled extensions). This
step, on the unzipped package:

- removes botocore's and boto3's service data except the services the portal calls
  (``KEPT_SERVICES``: a unit test holds the list to every ``client("...")`` in chalicelib), and
  keeps botocore's shared files (endpoints, partitions, retry and default configuration);
- removes fhir.resources' FHIR versions other than R4B (the one the portal validates with);
- removes C sources, stubs, the wheels' script and header directories, and Powertools' Swagger
  UI (the portal serves its own API docs from chalicelib);
- strips the debug symbols of shared libraries (``strip --strip-unneeded``: what the dynamic
  loader needs stays; a library strip cannot read is left as it was);
- compiles every module to bytecode in ``__pycache__`` for the Python running this step, which
  must be the runtime's (the template's ``Runtime`` is checked), with *unchecked-hash*
  invalidation (PEP 552): a timestamp pyc would be stale on Lambda, which does not keep the zip's
  modification times as written, and a checked-hash pyc would read and hash every source on every
  import; the code directory never changes under a running function, so unchecked is exact;
- zips again, deterministically: sorted names, one fixed date, fixed permissions, so the same
  input gives the same bytes (CloudFormation then sees an unchanged package as unchanged).

Application code (app.py, chalicelib/) is never removed, only compiled (bytecode left in it by
the build machine is replaced). Usage:
``python -m infra.package_trim build/package`` (the directory holding deployment.zip and sam.yaml).
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import os
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

# AWS services the portal's code calls (chalicelib's clients, PynamoDB's and Powertools' DynamoDB),
# and STS, which credential providers may call. Lambda gives credentials in the environment.
KEPT_SERVICES = frozenset({"dynamodb", "kms", "s3", "ses", "sqs", "stepfunctions", "sts"})
SERVICE_DATA_DIRS = ("botocore/data/", "boto3/data/")
# The FHIR versions fhir.resources ships as subpackages; R5 is the package's own top level.
FHIR_PACKAGE = "fhir/resources/"
FHIR_KEPT = ("R4B/", "__init__.py")
# Never imported: C and Cython sources, type stubs, the wheels' scripts and headers.
UNUSED_SUFFIXES = (".c", ".h", ".pyx", ".pxd", ".pyi")
UNUSED_PREFIXES = ("aws_lambda_powertools/event_handler/openapi/swagger_ui/",)
_WHEEL_DATA_DIR = re.compile(r"^[^/]+\.data/")
_STUBS_DIR = re.compile(r"^[^/]+-stubs/")
# What the application itself ships: compiled, never trimmed.
APPLICATION = ("app.py", "chalicelib/")
LAMBDA_TASK_ROOT = "/var/task"
# One date for every entry (the zip format's earliest), so that the zip depends on content only.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_RUNTIME = re.compile(r"Runtime:\s*['\"]?python(\d+)\.(\d+)")


@dataclasses.dataclass
class Report:
    """What the step did, in figures the bench and the log print."""

    removed_files: int = 0
    removed_bytes: int = 0
    stripped_bytes: int = 0
    compiled: int = 0

    def line(self) -> str:
        return (
            f"removed {self.removed_files} files ({self.removed_bytes / 1e6:.1f} MB), "
            f"stripped {self.stripped_bytes / 1e6:.1f} MB of debug symbols, compiled {self.compiled} modules"
        )


def unused(name: str) -> bool:
    """Whether the package member ``name`` (a POSIX path inside the zip) is never loaded."""
    if "__pycache__/" in name or name.endswith((".pyc", ".pyo")):
        # Bytecode the build machine left (chalice copies chalicelib/ as it finds it, caches of other
        # Python versions and of test runs included): the step compiles its own.
        return True
    if name.startswith(APPLICATION):
        return False
    for data_dir in SERVICE_DATA_DIRS:
        if name.startswith(data_dir):
            rest = name[len(data_dir) :]
            # Files directly under data/ are shared by every service: keep them.
            return "/" in rest and rest.split("/", 1)[0] not in KEPT_SERVICES
    if name.startswith(FHIR_PACKAGE):
        return not name[len(FHIR_PACKAGE) :].startswith(FHIR_KEPT)
    return (
        name.endswith(UNUSED_SUFFIXES)
        or name.startswith(UNUSED_PREFIXES)
        or bool(_WHEEL_DATA_DIR.match(name) or _STUBS_DIR.match(name))
    )


def runtime_version(template: str) -> tuple[int, int]:
    """The one Python version the template's functions run on (``Runtime: python3.11``)."""
    versions = {(int(major), int(minor)) for major, minor in _RUNTIME.findall(template)}
    if len(versions) != 1:
        raise SystemExit(f"expected one Python runtime in the template, found {sorted(versions) or 'none'}")
    return versions.pop()


def remove_unused(tree: Path, report: Report) -> None:
    for path in sorted(tree.rglob("*")):
        if path.is_file() and unused(path.relative_to(tree).as_posix()):
            report.removed_files += 1
            report.removed_bytes += path.stat().st_size
            path.unlink()
    # Directories left empty go too (a namespace package with nothing in it is still importable).
    for path in sorted(tree.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def strip_libraries(tree: Path, report: Report, strip: str | None = "strip") -> None:
    """Debug symbols out of shared libraries; skipped (with a line) where ``strip`` is missing."""
    if strip is None:
        return
    found = shutil.which(strip)
    if not found:
        print(f"package_trim: no {strip!r} on PATH: shared libraries keep their debug symbols")
        return
    for library in sorted(tree.rglob("*.so*")):
        shared = library.name.endswith(".so") or ".so." in library.name  # _rust.abi3.so, libz.so.1
        if not shared or not library.is_file() or library.relative_to(tree).as_posix().startswith(APPLICATION):
            continue
        before = library.stat().st_size
        # A library for another architecture than strip's own is left as it is, never half-written.
        done = subprocess.run([found, "--strip-unneeded", str(library)], capture_output=True)
        if done.returncode == 0:
            report.stripped_bytes += before - library.stat().st_size


def compile_bytecode(tree: Path, report: Report) -> None:
    """Every .py compiled into __pycache__ for this interpreter (PEP 552 unchecked-hash)."""
    ok = compileall.compile_dir(
        str(tree),
        # Where Lambda unpacks the code: the paths the bytecode names (not this step's scratch
        # directory, which would also make each build's bytes differ).
        ddir=LAMBDA_TASK_ROOT,
        quiet=2,
        workers=0,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    report.compiled = sum(1 for _ in tree.rglob("__pycache__/*.pyc"))
    if not ok:
        # A dependency may ship a file that is not Python 3 (a template, an example): it stays as it
        # is and compiles on import if anything ever imports it, as before this step.
        print("package_trim: some files did not compile (kept as source only)")


def write_zip(tree: Path, zip_path: Path) -> None:
    """``tree`` zipped to ``zip_path`` in a repeatable way (names sorted, one date, fixed modes)."""
    files = sorted((p for p in tree.rglob("*") if p.is_file()), key=lambda p: p.relative_to(tree).as_posix())
    partial = zip_path.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(tree).as_posix(), date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    partial.replace(zip_path)


def trim_zip(zip_path: Path, strip: str | None = "strip") -> Report:
    """The package ``zip_path`` trimmed, stripped, compiled and rezipped in place."""
    report = Report()
    with tempfile.TemporaryDirectory(prefix="package-trim-") as scratch:
        tree = Path(scratch)
        with zipfile.ZipFile(zip_path) as archive:
            for member in archive.infolist():
                if PurePosixPath(member.filename).is_absolute() or ".." in PurePosixPath(member.filename).parts:
                    raise SystemExit(f"refusing a zip member outside the package: {member.filename}")
            archive.extractall(tree)
            for member in archive.infolist():
                # Keep the executable bit (zipfile does not restore modes).
                if (member.external_attr >> 16) & 0o111 and not member.is_dir():
                    (tree / member.filename).chmod(0o755)
        remove_unused(tree, report)
        strip_libraries(tree, report, strip)
        compile_bytecode(tree, report)
        write_zip(tree, zip_path)
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("package_dir", type=Path, help="chalice package's output (deployment.zip, sam.yaml)")
    args = parser.parse_args(argv)
    zip_path = args.package_dir / "deployment.zip"
    runtime = runtime_version((args.package_dir / "sam.yaml").read_text())
    if runtime != sys.version_info[:2]:
        # Bytecode is only read by the Python version that wrote it: any other would recompile.
        raise SystemExit(
            f"the template's runtime is python{runtime[0]}.{runtime[1]} but this is Python "
            f"{sys.version_info[0]}.{sys.version_info[1]}: run the step with the runtime's Python"
        )
    unzipped = sum(info.file_size for info in zipfile.ZipFile(zip_path).infolist())
    report = trim_zip(zip_path)
    after = sum(info.file_size for info in zipfile.ZipFile(zip_path).infolist())
    print(f"package_trim: {report.line()}; {unzipped / 1e6:.1f} MB unzipped before, {after / 1e6:.1f} MB after")


if __name__ == "__main__":
    main()
