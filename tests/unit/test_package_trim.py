"""The step of `make package` that trims the deployment zip: what it removes and keeps, the
bytecode it leaves, and a zip that depends on its content only. A small fake package stands in
for chalice's (the real one is imported and called in tests/integration/test_package_trim.py)."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra import package_trim
from tests.conftest import PROJECT_DIR

MEMBERS = {
    "app.py": "import chalicelib\n",
    "chalicelib/__init__.py": '"""The portal."""\nVALUE = 42\n',
    "chalicelib/apidocs/static/swagger-ui-bundle.js": "// the portal's own docs\n",
    "botocore/__init__.py": "",
    "botocore/data/endpoints.json": "{}",
    "botocore/data/partitions.json": "{}",
    "botocore/data/_retry.json": "{}",
    "botocore/data/sdk-default-configuration.json": "{}",
    "botocore/data/dynamodb/2012-08-10/service-2.json.gz": "dynamodb",
    "botocore/data/sqs/2012-11-05/service-2.json.gz": "sqs",
    "botocore/data/ec2/2016-11-15/service-2.json.gz": "ec2",
    "botocore/data/sagemaker/2017-07-24/paginators-1.json": "sagemaker",
    "boto3/data/s3/2006-03-01/resources-1.json": "s3",
    "boto3/data/ec2/2016-11-15/resources-1.json": "ec2",
    "fhir/__init__.py": "",
    "fhir/resources/__init__.py": "",
    "fhir/resources/patient.py": "R5 = True\n",
    "fhir/resources/R4B/__init__.py": "",
    "fhir/resources/R4B/patient.py": "R4B = True\n",
    "fhir/resources/STU3/patient.py": "STU3 = True\n",
    "fontTools/misc/bezierTools.c": "/* the Cython output */",
    "fontTools/misc/bezierTools.py": "def f():\n    return 1\n",
    "wrapt/__init__.pyi": "",
    "wrapt-stubs/__init__.pyi": "",
    "segno-1.6.6.data/scripts/segno": "#!python\n",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui-bundle.min.js": "//",
    "aws_lambda_powertools/event_handler/__init__.py": "",
    "pydantic-2.14.4.dist-info/METADATA": "Name: pydantic\n",
    "chalicelib/__pycache__/__init__.cpython-39.pyc": "left by another Python",
    "chalicelib/__pycache__/test_x.cpython-311-pytest-9.2.0.pyc": "left by a test run",
}


def fake_package(path: Path, members: dict[str, str] = MEMBERS) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def names(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def test_only_the_services_the_portal_calls_and_fhir_r4b_stay(tmp_path):
    package = fake_package(tmp_path / "deployment.zip")

    package_trim.trim_zip(package, strip=None)

    kept = names(package)
    assert {
        "botocore/data/endpoints.json",
        "botocore/data/partitions.json",
        "botocore/data/_retry.json",
        "botocore/data/sdk-default-configuration.json",
        "botocore/data/dynamodb/2012-08-10/service-2.json.gz",
        "botocore/data/sqs/2012-11-05/service-2.json.gz",
        "boto3/data/s3/2006-03-01/resources-1.json",
        "fhir/resources/__init__.py",
        "fhir/resources/R4B/patient.py",
        "chalicelib/apidocs/static/swagger-ui-bundle.js",
        "pydantic-2.14.4.dist-info/METADATA",
        "aws_lambda_powertools/event_handler/__init__.py",
    } <= kept
    assert not {name for name in kept if "ec2" in name or "sagemaker" in name}
    assert not {name for name in kept if "STU3" in name or name.startswith("fhir/resources/patient")}
    assert not {name for name in kept if name.endswith((".c", ".pyi")) or "swagger_ui" in name or ".data/" in name}
    assert not {name for name in kept if "cpython-39" in name or "pytest" in name}  # only this step's bytecode


def test_every_module_is_compiled_to_bytecode_that_never_checks_its_source(tmp_path):
    package = fake_package(tmp_path / "deployment.zip")

    report = package_trim.trim_zip(package, strip=None)

    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(package) as archive:
        pyc = archive.read(f"chalicelib/__pycache__/__init__.{tag}.pyc")
        archive.extractall(tmp_path / "task")
    assert f"fontTools/misc/__pycache__/bezierTools.{tag}.pyc" in names(package)
    assert report.compiled == len([n for n in names(package) if n.endswith(".pyc")]) >= 6
    # PEP 552: flags word 0b01 = hash-based, check_source bit clear (unchecked).
    assert int.from_bytes(pyc[4:8], "little") == 0b01
    # The runtime takes the bytecode, not the source: a changed source goes unseen, as it can
    # never change on Lambda.
    (tmp_path / "task/chalicelib/__init__.py").write_text("VALUE = 0\n")
    imported = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            "import sys; sys.path.insert(0, '.'); import chalicelib; print(chalicelib.VALUE)",
        ],
        cwd=tmp_path / "task",
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == "42"


def test_the_same_package_zips_to_the_same_bytes(tmp_path):
    first = fake_package(tmp_path / "first.zip")
    second = fake_package(tmp_path / "second.zip", dict(reversed(list(MEMBERS.items()))))

    package_trim.trim_zip(first, strip=None)
    package_trim.trim_zip(second, strip=None)

    assert first.read_bytes() == second.read_bytes()


@pytest.mark.skipif(not shutil.which("strip"), reason="needs binutils' strip")
def test_shared_libraries_lose_their_debug_symbols_and_still_load(tmp_path):
    import fontTools.misc.bezierTools as compiled

    library = Path(compiled.__file__)
    if library.suffix != ".so":
        pytest.skip("fontTools installed without its compiled extension")
    name = f"fontTools/misc/{library.name}"
    package = tmp_path / "deployment.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.write(library, name)

    report = package_trim.trim_zip(package)

    with zipfile.ZipFile(package) as archive:
        stripped = tmp_path / library.name
        stripped.write_bytes(archive.read(name))
    assert report.stripped_bytes > 0 and stripped.stat().st_size < library.stat().st_size
    spec = importlib.util.spec_from_file_location("bezierTools", stripped)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    assert module.calcQuadraticArcLength((0, 0), (50, 0), (100, 0)) == pytest.approx(100.0)


def test_the_step_refuses_a_python_other_than_the_runtimes(tmp_path):
    fake_package(tmp_path / "deployment.zip")
    (tmp_path / "sam.yaml").write_text("Resources:\n  F:\n    Properties:\n      Runtime: python3.9\n")

    with pytest.raises(SystemExit, match="python3.9"):
        package_trim.main([str(tmp_path)])
    assert names(tmp_path / "deployment.zip") == set(MEMBERS)  # nothing half-done


def test_every_aws_service_the_portal_calls_keeps_its_model():
    called = set()
    for path in [PROJECT_DIR / "app.py", *(PROJECT_DIR / "chalicelib").rglob("*.py")]:
        text = path.read_text()
        if "client(" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "client"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and re.fullmatch(r"[a-z0-9-]+", node.args[0].value)
            ):
                called.add(node.args[0].value)
    assert called and called <= package_trim.KEPT_SERVICES, called - package_trim.KEPT_SERVICES
