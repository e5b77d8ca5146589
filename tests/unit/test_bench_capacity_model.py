"""docs/capacity.md's limits come from bench/capacity_model.py's arithmetic on measured routes:
Lambda time at a memory size, busy instances (requests/s x duration) and the shared keys it
names. Here on routes whose costs are given, so a slip in the arithmetic shows."""

from __future__ import annotations

import pytest

from bench.aws_calls import Call, Counted, key_shape
from bench.capacity_model import Case, lambda_ms, loads, rows

MODEL = {
    "peak": {"requests_per_second": 100, "burst_factor": 5},
    "feed": {"messages_per_second": 10, "burst_factor": 2},
    "routes": {
        "read": {"share": 0.75, "function": "Api", "method": "GET /r"},
        "sign_in": {"share": 0.25, "function": "SignIn", "method": "POST /s"},
        "feed_ingest": {"function": "Feed"},
    },
    "functions": {
        "Api": {"memory_mb": 1769, "reserved_concurrency": 50},
        "SignIn": {"memory_mb": 1769, "reserved_concurrency": 10},
        "Feed": {"memory_mb": 1769, "reserved_concurrency": 5},
    },
    "throttles": {
        "default": {"rate": 10, "burst": 20},
        "GET /r": {"rate": 400, "burst": 800},
        "POST /s": {"rate": 30, "burst": 60},
    },
    "tables": {},
}


def case(name: str, function: str, cpu_ms: float, calls: list[Call]) -> Case:
    return Case(name, lambda: 200, function, cpu=[cpu_ms, cpu_ms, cpu_ms], counted=Counted(calls))


def write(table: str, key: str, units: float) -> Call:
    return Call("dynamodb", "PutItem", table, write_units=units, keys=[(table, key_shape(key), units)])


CASES = [
    case("read", "Api", 10.0, [Call("dynamodb", "Query", "records", read_units=2.0)] * 2),
    case("sign_in", "SignIn", 190.0, [write("audit", "account#anonymous", 1.0)]),
    case("feed_ingest", "Feed", 40.0, [write("audit", "patient#0123456789abcdef0123", 2.0)]),
]


def test_lambda_time_is_cpu_on_its_share_of_a_vcpu_plus_a_round_trip_per_call():
    assert lambda_ms(CASES[0], 1769) == pytest.approx(10.0 + 2 * 5.0)
    assert lambda_ms(CASES[0], 512) == pytest.approx(10.0 * 1769 / 512 + 2 * 5.0)


def test_busy_instances_are_requests_per_second_times_duration():
    burst = loads(CASES, MODEL, burst=True)
    assert burst["read"].rps == pytest.approx(375)
    assert burst["read"].concurrency == pytest.approx(375 * 0.020)
    assert burst["sign_in"].concurrency == pytest.approx(125 * 0.195)
    assert burst["feed_ingest"].rps == pytest.approx(20)


def test_rows_set_each_figure_beside_its_limit_and_name_only_keys_every_caller_shares():
    found = {row.measure: row for row in rows(CASES, MODEL)}
    assert found["SignIn busy instances, 5x burst"].value == pytest.approx(125 * 0.195)
    assert found["SignIn busy instances, 5x burst"].bar == "<= 10 reserved"
    assert found["SignIn busy with its methods at their throttles"].value == pytest.approx(30 * 0.195)
    assert found["gateway GET /r, 5x burst"].value == pytest.approx(375)
    shared = [measure for measure in found if measure.startswith("shared key")]
    assert shared == ["shared key audit 'account#anonymous', 5x burst"]  # the patient's key is its own
    assert found[shared[0]].value == pytest.approx(125 * 1.0)


def test_a_sharded_key_is_shown_once_with_each_shards_part_of_the_stream():
    feed = case("feed_ingest", "Feed", 40.0, [write("audit", "account#system:clinical-feed#09", 2.0)])
    found = {row.measure: row for row in rows([*CASES[:2], feed], MODEL)}
    row = found["shared key audit 'account#system:clinical-feed#<NN>', 5x burst"]
    assert row.value == pytest.approx(20 * 2.0 / 16)  # 20 messages/s in the burst, over 16 shards
    assert row.note == "each of 16 shards"


def test_a_method_carrying_two_routes_is_costed_at_its_slowest_at_the_throttle():
    model = {**MODEL, "routes": {**MODEL["routes"], "sign_in": {**MODEL["routes"]["sign_in"], "share": 0.2}}}
    model["routes"]["unknown"] = {"share": 0.05, "function": "SignIn", "method": "POST /s"}
    unknown = case("unknown", "SignIn", 90.0, [])
    found = {row.measure: row for row in rows([*CASES, unknown], model)}
    assert found["SignIn busy with its methods at their throttles"].value == pytest.approx(30 * 0.195)
