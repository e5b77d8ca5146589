"""The capacity model's limits (infra/capacity.yaml), as the template writes them and as
docs/capacity.md shows them: one source, read here by the benchmark (bench/route_costs.py), the
test that holds the template and the doc to it (tests/unit/test_capacity_model.py), and
`python -m infra.capacity`, which prints the doc's tables (the mix, the limits) after a change
to the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MODEL_FILE = Path(__file__).with_name("capacity.yaml")


def load_model() -> dict[str, Any]:
    return yaml.safe_load(MODEL_FILE.read_text())


def resource_path(method: str) -> tuple[str, str]:
    """ "GET /v1/me" as MethodSettings names it: ("/~1v1~1me", "GET") (each "/" written "~1")."""
    verb, path = method.split(" ", 1)
    return "/" + path.replace("/", "~1"), verb


def method_settings(model: dict[str, Any]) -> list[dict[str, Any]]:
    """The RestAPI's MethodSettings the model asks for: the stage's ceiling first, then overrides."""
    settings = []
    for method, limit in model["throttles"].items():
        path, verb = ("/*", "*") if method == "default" else resource_path(method)
        settings.append(
            {
                "ResourcePath": path,
                "HttpMethod": verb,
                "ThrottlingRateLimit": limit["rate"],
                "ThrottlingBurstLimit": limit["burst"],
            }
        )
    return settings


def burst_requests_per_second(model: dict[str, Any]) -> dict[str, float]:
    """Requests/s each method carries at the peak's burst (the routes' shares of it)."""
    peak = model["peak"]["requests_per_second"] * model["peak"]["burst_factor"]
    found: dict[str, float] = {}
    for route in model["routes"].values():
        if "method" in route:
            found[route["method"]] = found.get(route["method"], 0.0) + peak * route["share"]
    return found


def mix_markdown(model: dict[str, Any]) -> str:
    """docs/capacity.md's table of the peak's mix: each route's share and requests/s."""
    rps, factor = model["peak"]["requests_per_second"], model["peak"]["burst_factor"]
    lines = [
        "| route | method | share | requests/s | in a release |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for name, route in model["routes"].items():
        if "share" not in route:
            continue
        method = f"`{route['method']}`" if "method" in route else f"(costed as {route['measured_as']})"
        share = route["share"]
        lines.append(f"| {name} | {method} | {share:.0%} | {rps * share:g} | {rps * factor * share:g} |")
    feed = model["feed"]
    lines.append(
        f"| feed_ingest | (OnClinicalFeedMessage, from SQS) | - | {feed['messages_per_second']} messages/s "
        f"| {feed['messages_per_second'] * feed['burst_factor']} messages/s |"
    )
    return "\n".join(lines)


def limits_markdown(model: dict[str, Any]) -> str:
    """docs/capacity.md's two limit tables, as that file holds them."""
    lines = [
        "| function | memory (MB) | reserved concurrency |",
        "| --- | ---: | ---: |",
    ]
    for name, spec in model["functions"].items():
        reserved = str(spec["reserved_concurrency"])
        if "parameter" in spec:
            reserved += f" (parameter {spec['parameter']})"
        lines.append(f"| {name} | {spec['memory_mb']} | {reserved} |")
    lines += ["", "| method | rate (requests/s) | burst |", "| --- | ---: | ---: |"]
    for method, limit in model["throttles"].items():
        name = "every other method (stage default)" if method == "default" else f"`{method}`"
        lines.append(f"| {name} | {limit['rate']} | {limit['burst']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(mix_markdown(load_model()), limits_markdown(load_model()), sep="\n\n")
