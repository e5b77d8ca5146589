"""The limits the template sets are the capacity model's (infra/capacity.yaml, explained in
docs/capacity.md): every function's reserved concurrency, every method's throttle; the doc shows
the same numbers; each throttle carries its method's share of a results release; and every
check the security scan is told to skip says why."""

from __future__ import annotations

import json
import re

import pytest

from infra.capacity import burst_requests_per_second, limits_markdown, load_model, method_settings, mix_markdown
from infra.local.template import load_template
from tests.conftest import PROJECT_DIR

MODEL = load_model()
TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}


def test_every_function_of_the_template_has_the_reserved_concurrency_the_model_gives_it():
    assert FUNCTIONS, "no functions in infra/template.yaml"
    for name, function in FUNCTIONS.items():
        assert name in MODEL["functions"], f"{name}: not in infra/capacity.yaml's functions"
        spec = MODEL["functions"][name]
        reserved = function["Properties"].get("ReservedConcurrentExecutions")
        if "parameter" in spec:
            assert reserved == {"Ref": spec["parameter"]}, name
            assert TEMPLATE["Parameters"][spec["parameter"]]["Default"] == spec["reserved_concurrency"], name
        else:
            assert reserved == spec["reserved_concurrency"], name


def _deployed_memory_mb(name: str, function: dict) -> int:
    """A function's memory as deployed: the template's MemorySize, else chalice's prod stage
    (.chalice/config.json: the function's own setting, the stage's, the app's)."""
    if "MemorySize" in function["Properties"]:
        return function["Properties"]["MemorySize"]
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    prod = config["stages"]["prod"]
    handler = "api_handler" if name == "APIHandler" else re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    for level in (prod.get("lambda_functions", {}).get(handler, {}), prod, config):
        if "lambda_memory_size" in level:
            return level["lambda_memory_size"]
    raise AssertionError(f"{name}: no memory size in the template or .chalice/config.json")


def test_every_function_has_the_memory_the_model_times_it_at():
    for name, function in FUNCTIONS.items():
        assert _deployed_memory_mb(name, function) == MODEL["functions"][name]["memory_mb"], name


def test_the_model_names_only_the_templates_functions():
    assert set(MODEL["functions"]) == set(FUNCTIONS)


def test_every_function_tells_the_security_scan_why_it_skips_what_it_skips():
    """`make package`'s checkov scan fails on a function without them (no VPC, no DLQ, variables)."""
    for name, function in FUNCTIONS.items():
        skipped = {skip["id"] for skip in function.get("Metadata", {}).get("checkov", {}).get("skip", [])}
        assert {"CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"} <= skipped, name


def test_the_stage_throttles_each_method_as_the_model_says():
    assert TEMPLATE["Resources"]["RestAPI"]["Properties"]["MethodSettings"] == method_settings(MODEL)


def test_every_throttle_carries_its_methods_share_of_a_results_release():
    limits = {method: limit["rate"] for method, limit in MODEL["throttles"].items()}
    for method, rps in burst_requests_per_second(MODEL).items():
        limit = limits.get(method, limits["default"])
        assert rps <= limit, f"{method}: {rps:.0f} requests/s at the burst, throttled at {limit}"


def test_the_routes_shares_make_the_whole_peak():
    shares = [route["share"] for route in MODEL["routes"].values() if "share" in route]
    assert sum(shares) == pytest.approx(1.0)


def test_the_doc_shows_the_models_limits():
    doc = (PROJECT_DIR / "docs" / "capacity.md").read_text()
    assert mix_markdown(MODEL) in doc, "docs/capacity.md's mix: paste `python -m infra.capacity`"
    assert limits_markdown(MODEL) in doc, "docs/capacity.md's limit tables: paste `python -m infra.capacity`"


def test_method_settings_write_the_path_as_api_gateway_reads_it():
    assert method_settings({"throttles": {"GET /v1/patients/{patient_id}/results": {"rate": 2, "burst": 4}}}) == [
        {
            "ResourcePath": "/~1v1~1patients~1{patient_id}~1results",
            "HttpMethod": "GET",
            "ThrottlingRateLimit": 2,
            "ThrottlingBurstLimit": 4,
        }
    ]


def test_every_check_the_security_scan_skips_says_why():
    skipped = 0
    for name, resource in RESOURCES.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip.get("id", "")), (name, skip)
            assert len(skip.get("comment", "").split()) >= 5, f"{name} skips {skip['id']} without a reason"
            skipped += 1
    assert skipped, "no skips found: has the Metadata moved?"


def test_the_doc_states_the_recovery_bars_beside_the_model_and_links_the_restore_runbook():
    doc = (PROJECT_DIR / "docs" / "capacity.md").read_text()
    recovery = doc[doc.index("## Recovery") :]
    assert "runbooks.md#restore" in recovery
    assert "| recovery point (data lost at most) | 15 minutes |" in recovery
    assert "| recovery time (back in service at most) | 4 hours |" in recovery
