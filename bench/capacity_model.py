"""The capacity model applied to measured routes (bench/route_costs.py): each route's share of the
peak (infra/capacity.yaml: 120 requests/s, 5x in a results release) gives its requests/s; times
its Lambda duration, the instances each function keeps busy; times its units, DynamoDB's load per
table and per shared partition key. Each figure is set beside the limit that holds it: the
reserved concurrency and gateway throttles the template sets, a new on-demand table's capacity
(12,000 read and 4,000 write units at once) and a partition's (3,000 read, 1,000 write units/s).

Lambda duration at a memory size: the CPU measured here scaled to Lambda's share of a vCPU
(one full vCPU at 1,769 MB), plus ROUND_TRIP_MS for each AWS call (moto answers in-process, so
the network's share is added, not measured).
"""

from __future__ import annotations

import os
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.aws_calls import Counted
from bench.table import Row
from chalicelib.kernel.shards import SHARDS

ROUND_TRIP_MS = 5.0  # one in-region AWS call from Lambda (DynamoDB's single-digit milliseconds)
ONE_VCPU_MB = 1769  # Lambda gives a function one full vCPU at 1,769 MB, a share of one below
TABLE_READS, TABLE_WRITES = 12_000, 4_000  # what a new on-demand table serves at once
KEY_READS, KEY_WRITES = 3_000, 1_000  # what one partition serves per second
_SHARD_SUFFIX = re.compile(r"#\d{2}$")  # kernel/shards.py's sharded(): "<key>#<NN>"


@dataclass
class Case:
    """One route of the mix, measured: how to call it once (``send`` answers the HTTP status)."""

    name: str
    send: Callable[[], int]
    function: str  # the template's function that runs it
    after: Callable[[], None] | None = None  # undoes what would refuse the next call (untimed)
    expect: tuple[int, ...] = ()  # the statuses that are its full work (empty: any 2xx)
    cpu: list[float] = field(default_factory=list)  # ms per request, moto's share taken out
    wall: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    counted: Counted = field(default_factory=Counted)


def lambda_ms(case: Case, memory_mb: int) -> float:
    cpu = statistics.median(case.cpu) * max(1.0, ONE_VCPU_MB / memory_mb)
    return cpu + len(case.counted.calls) * ROUND_TRIP_MS


@dataclass
class Load:
    rps: float  # requests (or feed messages) per second
    concurrency: float  # Lambda instances busy at once
    case: Case


def loads(cases: list[Case], model: dict[str, Any], burst: bool) -> dict[str, Load]:
    """Each route of the model at the sustained peak or in the burst."""
    by_name = {case.name: case for case in cases}
    memory = {name: spec["memory_mb"] for name, spec in model["functions"].items()}
    found: dict[str, Load] = {}
    for name, route in model["routes"].items():
        if name == "feed_ingest":
            rps = model["feed"]["messages_per_second"] * (model["feed"]["burst_factor"] if burst else 1)
        else:
            rps = (
                model["peak"]["requests_per_second"] * (model["peak"]["burst_factor"] if burst else 1) * route["share"]
            )
        case = by_name[route.get("measured_as", name)]
        found[name] = Load(rps, rps * lambda_ms(case, memory[route["function"]]) / 1000, case)
    return found


def _by_function(model: dict[str, Any], load: dict[str, Load]) -> dict[str, float]:
    busy: dict[str, float] = defaultdict(float)
    for name, route in model["routes"].items():
        busy[route["function"]] += load[name].concurrency
    return busy


def _by_method(model: dict[str, Any], load: dict[str, Load]) -> dict[str, float]:
    per: dict[str, float] = defaultdict(float)
    for name, route in model["routes"].items():
        if "method" in route:
            per[route["method"]] += load[name].rps
    return per


def _at_throttle(cases: list[Case], model: dict[str, Any]) -> dict[str, float]:
    """Busy instances of each function whose every route has a throttle of its own, with each
    such method at its throttle's rate: the most its throttles let through. A method carrying
    several routes (a sign-in, an unknown user's) is costed at its slowest: the throttle counts
    requests, not which route each is."""
    by_name = {case.name: case for case in cases}
    memory = {name: spec["memory_mb"] for name, spec in model["functions"].items()}
    found: dict[str, float] = {}
    for function in model["functions"]:
        routes = [(n, r) for n, r in model["routes"].items() if r["function"] == function]
        if routes and all(r.get("method") in model["throttles"] for _, r in routes):
            slowest: dict[str, float] = defaultdict(float)
            for n, r in routes:
                slowest[r["method"]] = max(slowest[r["method"]], lambda_ms(by_name[n], memory[function]))
            found[function] = sum(model["throttles"][m]["rate"] * ms / 1000 for m, ms in slowest.items())
    return found


def _logical(model: dict[str, Any]) -> Callable[[str], str]:
    """A physical table name (or table/index) as the template's logical id names it."""
    names = {os.environ[variable]: logical for logical, variable in model["tables"].items() if variable in os.environ}

    def logical(where: str) -> str:
        table, _, index = where.partition("/")
        return names.get(table, table) + (f"/{index}" if index else "")

    return logical


def _by_table(load: dict[str, Load], logical: Callable[[str], str]) -> dict[str, list[float]]:
    found: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for entry in load.values():
        for table, (reads, writes) in entry.case.counted.units_by_table().items():
            found[logical(table)][0] += entry.rps * reads
            found[logical(table)][1] += entry.rps * writes
    return found


def _by_shared_key(load: dict[str, Load], logical: Callable[[str], str]) -> dict[tuple[str, str], float]:
    """Write units/s on each key every caller shares. A sharded key (``<key>#<NN>``, kernel/shards.py)
    is measured on the one shard the counted request's item hashed to; the stream spreads over
    every shard, so it is shown as ``<key>#<NN>`` with one shard's part."""
    found: dict[tuple[str, str], float] = defaultdict(float)
    for entry in load.values():
        for (where, shape), units in entry.case.counted.shared_keys().items():
            key, sharded = _SHARD_SUFFIX.subn("#<NN>", shape)
            found[(logical(where), key)] += entry.rps * units / (SHARDS if sharded else 1)
    return found


def print_details(cases: list[Case], model: dict[str, Any]) -> None:
    memory = {name: spec["memory_mb"] for name, spec in model["functions"].items()}
    print(f"{'route':<20} {'status':<8} {'calls':>5} {'RU':>5} {'WU':>5} {'CPU ms':>7} {'Lambda ms':>9}  AWS calls")
    for case in cases:
        counted = case.counted
        print(
            f"{case.name:<20} {','.join(str(s) for s in sorted(case.statuses)):<8} {len(counted.calls):>5} "
            f"{counted.read_units:>5g} {counted.write_units:>5g} {statistics.median(case.cpu):>7.2f} "
            f"{lambda_ms(case, memory[case.function]):>9.1f}  {counted.by_operation()}"
        )
    sustained, burst = loads(cases, model, False), loads(cases, model, True)
    print(
        f"\nthe peak: {model['peak']['requests_per_second']} requests/s sustained, "
        f"{model['peak']['burst_factor']}x in a results release; feed {model['feed']['messages_per_second']} messages/s, "
        f"{model['feed']['burst_factor']}x in a burst"
    )
    print(f"{'route':<20} {'share':>6} {'rps':>7} {'burst rps':>9} {'busy':>6} {'burst busy':>10}")
    for name, route in model["routes"].items():
        share = f"{route['share']:.0%}" if "share" in route else "feed"
        print(
            f"{name:<20} {share:>6} {sustained[name].rps:>7.1f} {burst[name].rps:>9.1f} "
            f"{sustained[name].concurrency:>6.1f} {burst[name].concurrency:>10.1f}"
        )


def rows(cases: list[Case], model: dict[str, Any]) -> list[Row]:
    factor = model["peak"]["burst_factor"]
    memory = {name: spec["memory_mb"] for name, spec in model["functions"].items()}
    found: list[Row] = []
    for case in cases:
        counted = case.counted
        refused = {s: n for s, n in case.statuses.items() if not (s in case.expect if case.expect else 200 <= s < 300)}
        found.append(
            Row(
                f"{case.name}: Lambda time at {memory[case.function]} MB",
                lambda_ms(case, memory[case.function]),
                "ms",
                "model input",
                note=(
                    f"{len(counted.calls)} AWS calls ({counted.dynamodb_calls} DynamoDB: {counted.by_operation()}), "
                    f"{counted.read_units:g} read + {counted.write_units:g} write units, "
                    f"{statistics.median(case.cpu):.1f} ms CPU warm"
                    + (f"; answered {refused}: not the route's full work" if refused else "")
                ),
            )
        )
    sustained, burst = loads(cases, model, False), loads(cases, model, True)
    busy, busy_sustained = _by_function(model, burst), _by_function(model, sustained)
    for function, spec in model["functions"].items():
        if function in busy:
            found.append(
                Row(
                    f"{function} busy instances, {factor}x burst",
                    busy[function],
                    "instances",
                    f"<= {spec['reserved_concurrency']} reserved",
                    note=f"{busy_sustained[function]:.1f} at the sustained peak",
                )
            )
    for function, at_throttle in _at_throttle(cases, model).items():
        found.append(
            Row(
                f"{function} busy with its methods at their throttles",
                at_throttle,
                "instances",
                f"<= {model['functions'][function]['reserved_concurrency']} reserved",
                note="the gateway's 429 comes before Lambda's",
            )
        )
    per_method = _by_method(model, burst)
    for method, limit in model["throttles"].items():
        if method != "default":
            found.append(
                Row(
                    f"gateway {method}, {factor}x burst",
                    per_method.get(method, 0.0),
                    "requests/s",
                    f"<= {limit['rate']}",
                )
            )
    others = {m: rps for m, rps in per_method.items() if m not in model["throttles"]}
    if others:
        busiest = max(others, key=others.__getitem__)
        found.append(
            Row(
                f"gateway busiest other method, {factor}x burst",
                others[busiest],
                "requests/s",
                f"<= {model['throttles']['default']['rate']}",
                note=busiest,
            )
        )
    logical = _logical(model)
    for table, (reads, writes) in sorted(_by_table(burst, logical).items()):
        found.append(
            Row(
                f"{table} write units/s, {factor}x burst",
                writes,
                "WCU/s",
                f"<= {TABLE_WRITES:,} at once",
                note=f"{reads:,.0f} read units/s (<= {TABLE_READS:,})",
            )
        )
    for (where, shape), units in sorted(_by_shared_key(burst, logical).items(), key=lambda kv: -kv[1]):
        found.append(
            Row(
                f"shared key {where} {shape!r}, {factor}x burst",
                units,
                "WCU/s",
                f"<= {KEY_WRITES:,} per partition",
                note=f"each of {SHARDS} shards" if shape.endswith("#<NN>") else "",
            )
        )
    return found
