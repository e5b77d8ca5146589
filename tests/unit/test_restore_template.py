"""Repointing a stack at restored tables (infra/restore.py): on the portal's own template, every
reference to a restored table - the functions' environment, each policy's grant on the table and
its indexes, in any of Ref, GetAtt and Sub - names the new table; the old table's own resource and
every other table stay as they were."""

from __future__ import annotations

import dataclasses
import json

import pytest

from infra.local.template import load_template
from infra.restore import Refused, RestoredTable, repointed, tables_in_use

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

    from infra.restore import moment

    assert moment("2026-12-05T14:30:00Z").isoformat() == "2026-12-05T14:30:00+00:00"
    assert moment("2026-12-05T09:30:00-05:00").isoformat() == "2026-12-05T14:30:00+00:00"
    with pytest.raises(argparse.ArgumentTypeError, match="no offset"):
        moment("2026-12-05T14:30")


AGAIN_ARN = f"{ARN}-restored-2"
AGAIN = RestoredTable("AccountsTable", ACCOUNTS.target, f"{ACCOUNTS.target}-restored-2", AGAIN_ARN)
TABLES = {"AccountsTable": ACCOUNTS.source, "RecordsTable": "portal-RecordsTable-Y"}


def test_a_second_repoint_finds_the_copy_written_in_by_the_first_and_replaces_it_everywhere():
    once = repointed(load_template(), [ACCOUNTS])
    assert tables_in_use(once, TABLES) == {"AccountsTable": ACCOUNTS.target, "RecordsTable": "portal-RecordsTable-Y"}

    twice = repointed(once, [AGAIN])

    text = json.dumps({k: v for k, v in twice["Resources"].items() if k != "AccountsTable"}, default=str)
    assert twice["Globals"]["Function"]["Environment"]["Variables"]["PORTAL_ACCOUNTS_TABLE"] == AGAIN.target
    assert f"{AGAIN_ARN}/index/*" in text and f'"{AGAIN_ARN}"' in text
    assert f'{ACCOUNTS.target}"' not in text and f"{ACCOUNTS.target}/" not in text  # the first copy is gone
    assert tables_in_use(twice, TABLES)["AccountsTable"] == AGAIN.target


def test_a_stream_written_in_literally_becomes_the_new_tables_stream():
    stream = f"{ARN}/stream/2026-12-05T14:30:00.000"
    template = {"Resources": {"Feed": {"Properties": {"EventSourceArn": stream, "Table": ACCOUNTS.target}}}}
    new_stream = f"{AGAIN_ARN}/stream/2026-12-05T15:00:00.000"

    changed = repointed(template, [dataclasses.replace(AGAIN, stream_arn=new_stream)])

    assert changed["Resources"]["Feed"]["Properties"] == {"EventSourceArn": new_stream, "Table": AGAIN.target}


def test_a_template_naming_two_copies_of_one_table_is_refused_as_two_moments():
    template = {"Resources": {"A": {"Properties": {"Name": ACCOUNTS.target}}, "B": {"Ref": "AccountsTable"}}}

    with pytest.raises(Refused, match="AccountsTable as portal-AccountsTable-X and portal-AccountsTable-X-restored-1"):
        tables_in_use(template, TABLES)
