"""Repointing a stack at restored tables (infra/restore.py): on the portal's own template, every
reference to a restored table - the functions' environment, each policy's grant on the table and
its indexes, in any of Ref, GetAtt and Sub - names the new table; the old table's own resource and
every other table stay as they were."""

from __future__ import annotations

import json

from infra.local.template import load_template
from infra.restore import RestoredTable, repointed

ARN = "arn:aws:dynamodb:us-east-1:111122223333:table/portal-AccountsTable-X-restored-1"
ACCOUNTS = RestoredTable("AccountsTable", "portal-AccountsTable-X", "portal-AccountsTable-X-restored-1", ARN)


def _mentions(node, logical_id: str) -> bool:
    text = json.dumps(node, default=str)
    return f'"{logical_id}"' in text or "${" + logical_id + "}" in text or "${" + logical_id + "." in text


def test_every_reference_to_a_restored_table_names_the_new_one():
    template = load_template()

    changed = repointed(template, [ACCOUNTS])

    assert changed["Globals"]["Function"]["Environment"]["Variables"]["PORTAL_ACCOUNTS_TABLE"] == ACCOUNTS.target
    others = {k: v for k, v in changed["Resources"].items() if k != "AccountsTable"}
    assert not _mentions(others, "AccountsTable")
    grants = json.dumps(changed["Resources"]["ApiAccessPolicy"], default=str)
    assert ARN in grants and f"{ARN}/index/*" in grants
    # the old table is kept as it was (the evidence), and nothing else moved
    assert changed["Resources"]["AccountsTable"] == template["Resources"]["AccountsTable"]
    assert changed["Globals"]["Function"]["Environment"]["Variables"]["PORTAL_RECORDS_TABLE"] == {"Ref": "RecordsTable"}
    assert _mentions(changed["Resources"]["ApiAccessPolicy"], "RecordsTable")
    assert template["Globals"]["Function"]["Environment"]["Variables"]["PORTAL_ACCOUNTS_TABLE"] == {
        "Ref": "AccountsTable"
    }  # (the template given is not changed in place)


def test_a_sub_with_its_own_variables_keeps_them():
    template = {
        "Resources": {
            "AccountsTable": {"Type": "AWS::DynamoDB::Table"},
            "Alarm": {
                "Properties": {"Name": {"Fn::Sub": ["${AccountsTable}-${Extra}", {"Extra": {"Ref": "AccountsTable"}}]}}
            },
        }
    }

    changed = repointed(template, [ACCOUNTS])

    assert changed["Resources"]["Alarm"]["Properties"]["Name"] == {
        "Fn::Sub": [f"{ACCOUNTS.target}-${{Extra}}", {"Extra": ACCOUNTS.target}]
    }


def test_a_moment_without_an_offset_is_refused_rather_than_guessed():
    import argparse

    import pytest

    from infra.restore import moment

    assert moment("2026-12-05T14:30:00Z").isoformat() == "2026-12-05T14:30:00+00:00"
    assert moment("2026-12-05T09:30:00-05:00").isoformat() == "2026-12-05T14:30:00+00:00"
    with pytest.raises(argparse.ArgumentTypeError, match="no offset"):
        moment("2026-12-05T14:30")
