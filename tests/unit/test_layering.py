"""The layering of chalicelib/, enforced: what each kind of module may import.

- Domain and service code imports no AWS library, no web framework and no environment: only the
  data layer imports PynamoDB; only the adapters, the composition root (wiring) and the logging
  set-up import boto3 or botocore; only the HTTP layer and route modules import chalice; only
  settings reads os.environ.
- No import cycles between the packages of chalicelib/ (a package may use another only if that
  one does not use it back, directly or through others). Entry points (routes, queue consumers)
  sit on top of every package and are left out of that graph: they wire services
  together, and nothing imports them.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR

CHALICELIB = PROJECT_DIR / "chalicelib"
ENTRY_POINTS = {
    "routes.py",
    "account_routes.py",
    "staff_routes.py",
    "form_routes.py",
    "grant_routes.py",
    "request_routes.py",
    "consumer.py",
    "proxy_invitation_routes.py",
    "admin_routes.py",
}

# library -> where it may be imported (paths relative to chalicelib/, a folder ends with "/")
ALLOWED = {
    "pynamodb": ("data/",),
    "boto3": ("adapters/", "wiring.py"),
    "botocore": ("adapters/", "wiring.py", "observability.py"),
    "chalice": ("http/", "dev/", "observability.py", *(f"*/{n}" for n in ENTRY_POINTS)),
    "os": ("settings.py",),
}


def _modules() -> list[Path]:
    return sorted(CHALICELIB.rglob("*.py"))


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            if node.module == "chalicelib":  # from chalicelib import wiring
                found += [f"chalicelib.{alias.name}" for alias in node.names]
    return found


def _may_import(relative: str, allowed: tuple[str, ...]) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return any(
        relative.startswith(rule)
        if rule.endswith("/")
        else (name == rule[2:] if rule.startswith("*/") else relative == rule)
        for rule in allowed
    )


@pytest.mark.parametrize("library", sorted(ALLOWED))
def test_libraries_are_imported_only_where_the_layering_allows(library):
    offenders = []
    for path in _modules():
        relative = path.relative_to(CHALICELIB).as_posix()
        if any(m == library or m.startswith(library + ".") for m in _imports(path)):
            if not _may_import(relative, ALLOWED[library]):
                offenders.append(relative)
    assert offenders == [], f"{library} imported outside {ALLOWED[library]}"


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in _modules():
        if path.name in ENTRY_POINTS:
            continue
        package = path.relative_to(CHALICELIB).parts[0].removesuffix(".py")
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] == "chalicelib" and len(parts) > 1 and parts[1] != package:
                graph[package].add(parts[1])
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_packages():
    assert _cycles(_package_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    # GIVEN a graph where a uses b, b uses c and c uses a back THEN the three are one cycle
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
