"""Repointing a stack's template at restored tables (infra/restore.py uses it): which table the
deployed template uses for each of the stack's tables, and the template with every reference to a
restored table's source replaced by the new table's.

A first repoint finds the tables referred to by logical id (Ref, GetAtt, Sub) and writes the new
names and ARNs in literally (a restored table is not the stack's resource). A second repoint, after
a second restore, finds those literals: what the stack uses is the copy, and the copy's name, ARN,
indexes' ARN and stream ARN are what is replaced. Without that, a second restore would copy the
kept originals (stale) and a second repoint would change nothing.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

TABLE = "AWS::DynamoDB::Table"


@dataclass(frozen=True)
class RestoredTable:
    logical_id: str
    source: str
    target: str
    arn: str
    stream_arn: str = ""
    ready_after_s: float = 0.0  # from the start of the restores until this one was ACTIVE


class Refused(Exception):
    """Why the command does nothing, for the operator (printed, exit 1)."""


# A table's name as it stands in a string: not inside a longer name (letters, digits, _ . -).
_NAME_CHARS = r"[\w.-]"


def tables_in_use(template: dict[str, Any], tables: dict[str, str]) -> dict[str, str]:
    """Logical id -> the table the stack uses for it now (``names_in_use``); a table the template
    refers to by two names is refused: the stack would be mixing two moments."""
    found = names_in_use(template, tables)
    mixed = {logical: names for logical, names in found.items() if len(names) > 1}
    if mixed:
        raise Refused(
            "the deployed template refers to "
            + "; ".join(f"{logical} as {' and '.join(sorted(names))}" for logical, names in sorted(mixed.items()))
            + ": the stack mixes two moments. Repoint it at the right one first"
            " (repoint --tables <those> --suffix <the right one's suffix>)"
        )
    return {logical: next(iter(names)) for logical, names in found.items()}


def names_in_use(template: dict[str, Any], tables: dict[str, str]) -> dict[str, set[str]]:
    """Logical id -> the names the deployed template uses for it (the functions' environment, the
    policies' grants, ...): the stack's own table where the template refers to it by logical id,
    or the copy an earlier repoint wrote in literally (``<table>-<suffix>``,
    ``<table>-<suffix>-<suffix>`` after a second); the stack's own where the template does not
    refer to it at all."""
    by_name = {name: logical for logical, name in tables.items()}
    pattern = _names(by_name)
    found: dict[str, set[str]] = {logical: set() for logical in tables}

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, str):
            for match in pattern.finditer(node):
                found[by_name[match.group("table")]].add(match.group("name"))
        elif isinstance(node, dict):
            for key, value in node.items():
                for logical in _referred(key, value):
                    if logical in tables:
                        found[logical].add(tables[logical])
                visit(value)

    for resource in template.get("Resources", {}).values():
        if resource.get("Type") != TABLE:  # a table's own resource does not use a table
            visit(resource)
    for section in ("Outputs", "Globals", "Conditions"):
        visit(template.get(section, {}))
    return {logical: names or {tables[logical]} for logical, names in found.items()}


def _referred(key: str, value: Any) -> list[str]:
    """The logical ids a Ref, a GetAtt or a Sub's string names."""
    if key == "Ref" and isinstance(value, str):
        return [value]
    if key == "Fn::GetAtt":
        return [value.partition(".")[0] if isinstance(value, str) else str(value[0])]
    if key == "Fn::Sub":
        text = value if isinstance(value, str) else value[0]
        return re.findall(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}", text)
    return []


def _names(names: Any) -> re.Pattern[str]:
    """Any of these table names, alone or as the start of a copy's name (``-<suffix>``...), as
    ``table``; the whole name as ``name``; longest first, so one name never claims another's."""
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"(?<!{_NAME_CHARS})(?P<name>(?P<table>{alternatives})(?:-{_NAME_CHARS}*)?)(?!{_NAME_CHARS})")


# -- the template rewritten -------------------------------------------------------------------


def repointed(template: dict[str, Any], restored: list[RestoredTable]) -> dict[str, Any]:
    """The template with every reference to a restored table replaced by the new table's: Ref,
    GetAtt Arn/StreamArn and the same inside Sub strings, and the source's name written literally
    (its ARN, its indexes' and its stream's, as an earlier repoint left them). The old tables' own
    resources unchanged."""
    by_id = {table.logical_id: table for table in restored}
    by_source = {table.source: table for table in restored if table.source != table.target}
    result = copy.deepcopy(template)
    for logical_id, resource in result.get("Resources", {}).items():
        if logical_id not in by_id and resource.get("Type") != TABLE:
            result["Resources"][logical_id] = _rewrite(resource, by_id, by_source)
    for section in ("Outputs", "Globals", "Conditions"):
        if section in result:
            result[section] = _rewrite(result[section], by_id, by_source)
    return result


def _value(table: RestoredTable, attribute: str) -> str:
    return {"": table.target, "Arn": table.arn, "StreamArn": table.stream_arn}[attribute]


def _rewrite(node: Any, by_id: dict[str, RestoredTable], by_source: dict[str, RestoredTable]) -> Any:
    if isinstance(node, str):
        return _literal(node, by_source)
    if isinstance(node, list):
        return [_rewrite(item, by_id, by_source) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        [(key, value)] = node.items()
        if key == "Ref" and value in by_id:
            return by_id[value].target
        if key == "Fn::GetAtt":
            logical, _, attribute = value.partition(".") if isinstance(value, str) else (value[0], ".", value[1])
            if logical in by_id and attribute in ("Arn", "StreamArn"):
                return _value(by_id[logical], attribute)
        if key == "Fn::Sub":
            text, variables = (value, None) if isinstance(value, str) else (value[0], value[1])
            text = _substituted(_literal(text, by_source), by_id)
            return {"Fn::Sub": text if variables is None else [text, _rewrite(variables, by_id, by_source)]}
    return {key: _rewrite(value, by_id, by_source) for key, value in node.items()}


def _literal(text: str, by_source: dict[str, RestoredTable]) -> str:
    """A source table's name written out (alone, in its ARN, its indexes' ARN) -> the new table's;
    its stream's ARN -> the new table's stream."""
    if not by_source:
        return text
    alternatives = "|".join(re.escape(name) for name in sorted(by_source, key=len, reverse=True))
    pattern = rf"(?<!{_NAME_CHARS})(?P<name>{alternatives})(?P<stream>/stream/[\w:.-]+)?(?!{_NAME_CHARS})"

    def replace(match: re.Match[str]) -> str:
        table = by_source[match.group("name")]
        if not match.group("stream"):
            return table.target
        if not table.stream_arn:
            raise Refused(f"{table.target} has no stream, and the stack reads {table.source}'s")
        return table.stream_arn.partition(":table/")[2]

    return re.sub(pattern, replace, text)


def _substituted(text: str, by_id: dict[str, RestoredTable]) -> str:
    def replace(match: re.Match[str]) -> str:
        logical, _, attribute = match.group(1).partition(".")
        if logical in by_id and attribute in ("", "Arn", "StreamArn"):
            return _value(by_id[logical], attribute)
        return match.group(0)

    return re.sub(r"\$\{([A-Za-z0-9]+(?:\.[A-Za-z]+)?)\}", replace, text)
