"""The deployment package as `make package` leaves it (chalice package, then infra/package_trim.py),
unzipped and run alone: a fresh interpreter with nothing on its path but the package and the
standard library, as Lambda's runtime sees it. A trim that removes something the portal needs (an
AWS service's model, a FHIR version, a library the PDFs are drawn with) fails here, and so does a
package whose modules would be compiled from source at a cold start."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from infra import package_trim
from tests.conftest import PROJECT_DIR

# The same worker as test_template.py, which builds the package both read (tests/integration/conftest.py).
pytestmark = pytest.mark.xdist_group("chalice-package")

# Run by the packaged code: every function's module, then one real use of each thing the trim
# touches. Any module compiled from source on the way is reported (bytecode was shipped for all).
EXERCISE = r"""
import importlib._bootstrap_external as external, json, sys
sys.path.insert(0, sys.argv[1])
compiled = []
_source_to_code = external.SourceLoader.source_to_code
def _spy(self, data, path, *, _optimize=-1):
    compiled.append(path)
    return _source_to_code(self, data, path, _optimize=_optimize)
external.SourceLoader.source_to_code = _spy

import app  # every function's handler (the session check runs in the API function)

import boto3
calls = {
    "dynamodb": lambda c: c.list_tables(), "s3": lambda c: c.list_buckets(), "sqs": lambda c: c.list_queues(),
    "kms": lambda c: c.list_keys(), "ses": lambda c: c.list_identities(),
    "stepfunctions": lambda c: c.list_state_machines(), "sts": lambda c: c.get_caller_identity(),
}
answered = {name: bool(call(boto3.client(name))["ResponseMetadata"]) for name, call in calls.items()}

from chalicelib.interop.fhir.validation import validate_resource
validate_resource({"resourceType": "Observation", "status": "final", "code": {"text": "Glucose"}}, "result")

import io
from datetime import date, datetime, timezone
from PIL import Image
from chalicelib.checkin.signed_form import SignedForm, render
from chalicelib.apps.export import summary_pdf
png = io.BytesIO()
Image.new("RGBA", (200, 80), (0, 0, 0, 255)).save(png, "PNG")
form = render(SignedForm(
    document_id="sd-1", form_title="Consent", form_version="1", form_text="I consent.", form_sha256="3f" * 32,
    answers=(("Allergies?", "None"),), typed_name="Zoë Ångström", signed_at=datetime(2026, 12, 5, tzinfo=timezone.utc),
    time_zone="America/New_York", client_ip="203.0.113.7", patient_name="Zoë Ångström",
    patient_birth_date=date(1980, 2, 29), signature_png=png.getvalue(),
))
summary = summary_pdf.render([{"resourceType": "Patient", "name": [{"text": "Zoë"}]}],
                             made_at=datetime(2026, 12, 5, tzinfo=timezone.utc), made_for="Zoë")

from argon2 import PasswordHasher
from joserfc import jwt
from joserfc.jwk import OctKey
PasswordHasher().hash("correct horse battery")
jwt.encode({"alg": "HS256"}, {"sub": "x"}, OctKey.generate_key(256))

outside = sorted({
    name.split(".")[0] for name, module in list(sys.modules.items())
    if getattr(module, "__file__", None) and not module.__file__.startswith((sys.argv[1], sys.base_prefix))
})
print(json.dumps({"answered": answered, "pdfs": [form[:5].decode(), summary[:5].decode()],
                  "compiled": compiled, "outside": outside}))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def moto_server():
    """A moto server of its own (a process apart: the decorator-mode tests' moto stays untouched)."""
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)  # the server's start, not the code under test
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def task_root(packaged, tmp_path_factory) -> Path:
    """`make package`'s steps (the package test_template.py reads too, trimmed in a copy), then the
    package unzipped where a function would find it."""
    out = tmp_path_factory.mktemp("trimmed") / "out"
    shutil.copytree(packaged, out)
    before = zipfile.ZipFile(out / "deployment.zip")
    assert any(name.startswith("botocore/data/ec2/") for name in before.namelist())  # chalice's, untrimmed
    subprocess.run([sys.executable, "-m", "infra.package_trim", str(out)], cwd=PROJECT_DIR, check=True, timeout=900)
    task = out / "task"
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        archive.extractall(task)
    return task


def test_the_trimmed_package_runs_every_function_and_service_alone_from_bytecode(task_root, moto_server):
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": moto_server,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "TZ": "UTC",
    }
    # -I -S: neither this virtualenv's site-packages nor the environment's Python settings.
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", EXERCISE, str(task_root)],
        cwd=task_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["answered"] == dict.fromkeys(package_trim.KEPT_SERVICES, True)
    assert seen["pdfs"] == ["%PDF-", "%PDF-"]
    assert seen["outside"] == []  # nothing came from outside the package and the standard library
    assert seen["compiled"] == []  # a cold start compiles nothing


def test_the_trimmed_package_keeps_only_what_the_portal_loads(task_root):
    services = {path.name for path in (task_root / "botocore" / "data").iterdir() if path.is_dir()}
    assert services == package_trim.KEPT_SERVICES
    assert sorted(path.name for path in (task_root / "fhir" / "resources").iterdir()) == [
        "R4B",
        "__init__.py",
        "__pycache__",
    ]
    assert not list(task_root.rglob("*.c"))
