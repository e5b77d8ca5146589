"""Reading infra/template.yaml with its CloudFormation tags, and resolving intrinsic functions
against the resources the local stack provisioned."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_PATH = Path(__file__).resolve().parents[1] / "template.yaml"
ACCOUNT_ID = "123456789012"  # moto's default account


class _CfnLoader(yaml.SafeLoader):
    pass


def _intrinsic(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass


class Resolver:
    """Resolves Ref, Fn::GetAtt, Fn::Sub, Fn::Split and Fn::If (on the template's Conditions:
    Fn::Equals, Fn::Not) against parameters, pseudo parameters and the physical ids of
    provisioned resources."""

    def __init__(
        self, parameters: dict[str, Any], stack_name: str, region: str, conditions: dict[str, Any] | None = None
    ):
        self.conditions = conditions or {}
        self.values: dict[str, Any] = {
            **parameters,
            "AWS::Region": region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::StackName": stack_name,
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.attributes: dict[str, dict[str, Any]] = {}

    def add(self, logical_id: str, ref: Any, **attributes: Any) -> None:
        self.values[logical_id] = ref
        self.attributes[logical_id] = attributes

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self.values[value["Ref"]]
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = value["Fn::GetAtt"]
            return self.attributes[logical_id][attribute]
        if set(value) == {"Fn::Sub"}:
            return self._sub(value["Fn::Sub"])
        if set(value) == {"Fn::Split"}:
            separator, text = value["Fn::Split"]
            return str(self.resolve(text)).split(separator)
        if set(value) == {"Fn::If"}:
            name, when_true, when_false = value["Fn::If"]
            return self.resolve(when_true if self.holds(name) else when_false)
        unknown = [key for key in value if key.startswith("Fn::")]
        if unknown:
            raise ValueError(f"the local stack does not resolve {unknown[0]}; extend infra/local/template.py")
        return {key: self.resolve(item) for key, item in value.items()}

    def holds(self, condition: str) -> bool:
        """Whether one of the template's Conditions holds."""
        return bool(self._condition(self.conditions[condition]))

    def _condition(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"Fn::Not"}:
            return not self._condition(value["Fn::Not"][0])
        if isinstance(value, dict) and set(value) == {"Fn::Equals"}:
            left, right = value["Fn::Equals"]
            return self.resolve(left) == self.resolve(right)
        if isinstance(value, dict) and set(value) == {"Condition"}:
            return self.holds(value["Condition"])
        return self.resolve(value)

    def _sub(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            name = match.group(1)
            if "." in name and name not in self.values:
                logical_id, attribute = name.split(".", 1)
                return str(self.attributes[logical_id][attribute])
            return str(self.values[name])

        return re.sub(r"\$\{([^}!]+)\}", replace, text)


def references(value: Any) -> set[str]:
    """Logical ids (and parameters) a piece of template refers to."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref":
                found.add(item)
            elif key == "Fn::GetAtt":
                found.add(item[0])
            elif key == "Fn::Sub":
                text = item if isinstance(item, str) else item[0]
                found |= {name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text)}
            else:
                found |= references(item)
    return found
