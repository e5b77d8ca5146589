"""Recovery against moto, as far as moto goes (infra/restore.py): a table restored into a new one
with what a restore leaves behind set again; a stack repointed at its restored table through
CloudFormation; a bucket's objects put back to their versions of a moment.

moto copies a table's items as they are now whatever moment is asked (its restore ignores the
time), so the moment itself is AWS's to honour; what is tested is everything around it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from infra import admin, restore


def _drop(dynamodb, name: str) -> None:
    dynamodb.update_table(TableName=name, DeletionProtectionEnabled=False)
    dynamodb.delete_table(TableName=name)


def test_a_table_is_restored_into_a_new_one_recoverable_protected_and_indexed_as_its_source(aws):
    dynamodb = boto3.client("dynamodb")
    source = aws.physical["IdentityTable"]
    dynamodb.put_item(TableName=source, Item={"pk": {"S": "session#a"}, "sk": {"S": "session"}})
    before = dynamodb.describe_table(TableName=source)["Table"]

    [restored] = restore.restore_tables(dynamodb, {"IdentityTable": source}, at=None, suffix="restored-t1", delay=1)
    try:
        # THEN a new table, named after its source, holds the items and the same indexes
        assert restored.target == f"{source}-restored-t1" and restored.source == source
        table = dynamodb.describe_table(TableName=restored.target)["Table"]
        assert table["TableStatus"] == "ACTIVE" and table["TableArn"] == restored.arn
        assert sorted(i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])) == sorted(
            i["IndexName"] for i in before.get("GlobalSecondaryIndexes", [])
        )
        assert dynamodb.scan(TableName=restored.target)["Count"] == dynamodb.scan(TableName=source)["Count"] >= 1
        # and what a restore does not carry is set again: recovery, deletion protection, time to live
        backups = dynamodb.describe_continuous_backups(TableName=restored.target)["ContinuousBackupsDescription"]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        assert table["DeletionProtectionEnabled"] is True
        assert (
            dynamodb.describe_time_to_live(TableName=restored.target)["TimeToLiveDescription"]
            == dynamodb.describe_time_to_live(TableName=source)["TimeToLiveDescription"]
        )
        # a second restore under the same name is refused, not merged into the first
        with pytest.raises(dynamodb.exceptions.TableAlreadyExistsException):
            restore.restore_tables(dynamodb, {"IdentityTable": source}, at=None, suffix="restored-t1", delay=1)
    finally:
        _drop(dynamodb, restored.target)


MINI_STACK = """
Resources:
  NotesTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
  NotesTableName:
    Type: AWS::SSM::Parameter
    Properties: {Name: notes-table-name, Type: String, Value: !Ref NotesTable}
  NotesTableArn:
    Type: AWS::SSM::Parameter
    Properties: {Name: notes-table-arn, Type: String, Value: !Sub "${NotesTable.Arn}/index/*"}
"""


def test_the_command_restores_a_stacks_tables_and_repoints_the_stack_at_them(aws, capsys):
    cloudformation, ssm, dynamodb, s3 = (boto3.client(s) for s in ("cloudformation", "ssm", "dynamodb", "s3"))
    s3.create_bucket(Bucket="restore-artifacts")
    cloudformation.create_stack(StackName="mini", TemplateBody=MINI_STACK)
    [table] = restore.stack_resources(cloudformation, "mini", restore.TABLE).values()
    try:
        # WHEN the operator restores the stack's tables (to the latest moment) and repoints it
        code = admin.main(
            ["restore-tables", "--stack", "mini", "--suffix", "restored-t2", "--artifacts-bucket", "restore-artifacts"]
        )

        # THEN what referred to the table now names its restored copy, and the old one is kept
        assert code == 0, capsys.readouterr().err
        names = {
            logical: ssm.get_parameter(Name=physical)["Parameter"]["Value"]
            for logical, physical in restore.stack_resources(cloudformation, "mini", "AWS::SSM::Parameter").items()
        }
        restored_arn = dynamodb.describe_table(TableName=f"{table}-restored-t2")["Table"]["TableArn"]
        assert names == {"NotesTableName": f"{table}-restored-t2", "NotesTableArn": f"{restored_arn}/index/*"}
        assert dynamodb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
        assert "restored into" in capsys.readouterr().out
    finally:
        cloudformation.delete_stack(StackName="mini")
        _drop(dynamodb, f"{table}-restored-t2")


def test_the_command_refuses_a_table_the_stack_does_not_have(aws, capsys):
    cloudformation = boto3.client("cloudformation")
    cloudformation.create_stack(StackName="mini", TemplateBody=MINI_STACK)
    try:
        code = admin.main(["restore-tables", "--stack", "mini", "--tables", "AccountsTable"])

        assert code == 1
        assert "no table AccountsTable (it has NotesTable)" in capsys.readouterr().err
    finally:
        cloudformation.delete_stack(StackName="mini")


def _parameters(cloudformation, ssm, stack: str) -> dict[str, str]:
    """What the stack's parameters say now (the stand-ins for the functions' environment)."""
    return {
        logical: ssm.get_parameter(Name=physical)["Parameter"]["Value"]
        for logical, physical in restore.stack_resources(cloudformation, stack, "AWS::SSM::Parameter").items()
    }


def test_a_second_restore_starts_from_the_tables_the_stack_uses_now_and_repoints_it_again(aws, capsys):
    cloudformation, ssm, dynamodb, s3 = (boto3.client(s) for s in ("cloudformation", "ssm", "dynamodb", "s3"))
    s3.create_bucket(Bucket="restore-artifacts")
    cloudformation.create_stack(StackName="mini", TemplateBody=MINI_STACK)
    [table] = restore.stack_resources(cloudformation, "mini", restore.TABLE).values()
    first, second = f"{table}-restored-r1", f"{table}-restored-r1-restored-r2"
    restore_to = ["--artifacts-bucket", "restore-artifacts", "--stack", "mini"]
    try:
        assert admin.main(["restore-tables", "--suffix", "restored-r1", *restore_to]) == 0, capsys.readouterr().err
        # GIVEN a note written after the first restore, to the table the stack uses since
        dynamodb.put_item(TableName=first, Item={"pk": {"S": "note#after-the-first-restore"}})

        # WHEN the operator restores again
        code = admin.main(["restore-tables", "--suffix", "restored-r2", *restore_to])

        # THEN the new copy is of the table in use (the note is there), not of the kept original
        out, err = capsys.readouterr()
        assert code == 0, err
        assert dynamodb.get_item(TableName=second, Key={"pk": {"S": "note#after-the-first-restore"}}).get("Item")
        assert f"{first} restored into {second}" in out and "mini now uses the -restored-r2 tables" in out
        # and the stack names the second copy everywhere the first one was written in
        arn = dynamodb.describe_table(TableName=second)["Table"]["TableArn"]
        assert _parameters(cloudformation, ssm, "mini") == {"NotesTableName": second, "NotesTableArn": f"{arn}/index/*"}
        # a repoint run again finds it done rather than updating the stack with nothing
        assert admin.main(["repoint", "--suffix", "restored-r2", *restore_to]) == 0
        assert "already uses the -restored-r2 tables" in capsys.readouterr().out
    finally:
        cloudformation.delete_stack(StackName="mini")
        for name in (first, second):
            _drop(dynamodb, name)


TWO_TABLES = (
    MINI_STACK
    + """
  LettersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  LettersTableName:
    Type: AWS::SSM::Parameter
    Properties: {Name: letters-table-name, Type: String, Value: !Ref LettersTable}
"""
)


def test_repoint_refuses_a_stack_half_restored_unless_the_tables_are_named(aws, capsys):
    cloudformation, ssm, dynamodb, s3 = (boto3.client(s) for s in ("cloudformation", "ssm", "dynamodb", "s3"))
    s3.create_bucket(Bucket="restore-artifacts")
    cloudformation.create_stack(StackName="two", TemplateBody=TWO_TABLES)
    tables = restore.stack_resources(cloudformation, "two", restore.TABLE)
    notes = f"{tables['NotesTable']}-restored-r3"
    restore_to = ["--suffix", "restored-r3", "--artifacts-bucket", "restore-artifacts", "--stack", "two"]
    try:
        # GIVEN a restore that made a copy of one table of the two
        assert admin.main(["restore-tables", "--tables", "NotesTable", "--no-repoint", *restore_to]) == 0
        before = _parameters(cloudformation, ssm, "two")

        # WHEN the operator repoints the stack: refused, the missing table named, nothing changed
        assert admin.main(["repoint", *restore_to]) == 1
        err = capsys.readouterr().err
        assert "LettersTable has no -restored-r3 copy" in err and "restore-tables --tables LettersTable" in err
        assert _parameters(cloudformation, ssm, "two") == before

        # WHEN the operator names the table restored: that one alone is repointed
        assert admin.main(["repoint", "--tables", "NotesTable", *restore_to]) == 0, capsys.readouterr().err
        after = _parameters(cloudformation, ssm, "two")
        assert after["NotesTableName"] == notes and after["LettersTableName"] == tables["LettersTable"]
    finally:
        cloudformation.delete_stack(StackName="two")
        _drop(dynamodb, notes)


def test_a_moment_before_a_table_could_be_restored_is_refused_before_any_restore_starts(aws, capsys):
    cloudformation, dynamodb = boto3.client("cloudformation"), boto3.client("dynamodb")
    cloudformation.create_stack(StackName="mini", TemplateBody=MINI_STACK)
    [table] = restore.stack_resources(cloudformation, "mini", restore.TABLE).values()
    # (recovery as the template sets it, which moto's CloudFormation leaves off: recoverable from now)
    dynamodb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    try:
        code = admin.main(
            ["restore-tables", "--stack", "mini", "--at", "2020-01-01T00:00:00Z", "--suffix", "r4", "--no-repoint"]
        )

        assert code == 1
        assert f"NotesTable ({table}) goes back to" in capsys.readouterr().err
        assert f"{table}-r4" not in dynamodb.list_tables()["TableNames"]
    finally:
        cloudformation.delete_stack(StackName="mini")


def test_objects_under_a_prefix_are_put_back_to_their_versions_of_a_moment(aws, monkeypatch):
    # S3 keeps times to the second: the versions are written a minute apart on a clock of the test's
    import moto.s3.models as s3_models

    clock = {"now": datetime(2026, 12, 5, 14, 0, tzinfo=UTC).replace(tzinfo=None)}
    monkeypatch.setattr(s3_models, "utcnow", lambda: clock["now"])

    def at(minute: int) -> None:
        clock["now"] = datetime(2026, 12, 5, 14, minute)

    s3, bucket = boto3.client("s3"), aws.physical["DocumentsBucket"]
    at(0)
    s3.put_object(Bucket=bucket, Key="documents/a", Body=b"a as it was")
    s3.put_object(Bucket=bucket, Key="documents/gone", Body=b"deleted by mistake")
    s3.put_object(Bucket=bucket, Key="elsewhere/c", Body=b"c as it was")
    at(10)  # <- the moment to go back to
    at(20)  # the damage: a overwritten, gone deleted, b created, c (not under the prefix) overwritten
    s3.put_object(Bucket=bucket, Key="documents/a", Body=b"a damaged")
    s3.delete_object(Bucket=bucket, Key="documents/gone")
    s3.put_object(Bucket=bucket, Key="documents/b", Body=b"written after the moment")
    s3.put_object(Bucket=bucket, Key="elsewhere/c", Body=b"c changed")
    moment = datetime(2026, 12, 5, 14, 10, tzinfo=UTC)

    counted = restore.restore_objects(s3, bucket, "documents/", moment, write=False)
    assert (counted.copied, counted.removed, counted.unchanged) == (2, 1, 0)
    assert s3.get_object(Bucket=bucket, Key="documents/a")["Body"].read() == b"a damaged"  # (a dry run)

    at(30)
    done = restore.restore_objects(s3, bucket, "documents/", moment)

    assert (done.copied, done.removed) == (2, 1)
    assert s3.get_object(Bucket=bucket, Key="documents/a")["Body"].read() == b"a as it was"
    assert s3.get_object(Bucket=bucket, Key="documents/gone")["Body"].read() == b"deleted by mistake"
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key="documents/b")
    assert s3.get_object(Bucket=bucket, Key="elsewhere/c")["Body"].read() == b"c changed"
    # nothing was deleted for good: every earlier version is still there
    versions = s3.list_object_versions(Bucket=bucket, Prefix="documents/a")["Versions"]
    assert len(versions) == 3
    # and a second run finds nothing to do
    at(40)
    again = restore.restore_objects(s3, bucket, "documents/", moment + timedelta(minutes=25))
    assert (again.copied, again.removed) == (0, 0)


def test_a_restore_that_could_not_repoint_is_refused_before_any_table_is_restored(aws, capsys):
    cloudformation, dynamodb = boto3.client("cloudformation"), boto3.client("dynamodb")
    cloudformation.create_stack(StackName="mini", TemplateBody=MINI_STACK)
    [table] = restore.stack_resources(cloudformation, "mini", restore.TABLE).values()
    try:
        code = admin.main(["restore-tables", "--stack", "mini", "--suffix", "r5"])

        assert code == 1 and "--artifacts-bucket is needed" in capsys.readouterr().err
        assert f"{table}-r5" not in dynamodb.list_tables()["TableNames"]
    finally:
        cloudformation.delete_stack(StackName="mini")


def test_a_stack_naming_one_table_two_ways_is_not_restored_until_repointed_whole(aws, capsys):
    cloudformation, ssm, dynamodb, s3 = (boto3.client(s) for s in ("cloudformation", "ssm", "dynamodb", "s3"))
    s3.create_bucket(Bucket="restore-artifacts")
    cloudformation.create_stack(StackName="mini", TemplateBody=MINI_STACK)
    [table] = restore.stack_resources(cloudformation, "mini", restore.TABLE).values()
    copy = f"{table}-restored-r6"
    restore_to = ["--suffix", "restored-r6", "--artifacts-bucket", "restore-artifacts", "--stack", "mini"]
    try:
        # GIVEN a copy, and a stack whose name parameter was pointed at it by hand, its ARN one not
        assert admin.main(["restore-tables", "--no-repoint", *restore_to]) == 0
        half = MINI_STACK.replace("Value: !Ref NotesTable", f"Value: {copy}")
        cloudformation.update_stack(StackName="mini", TemplateBody=half)

        # WHEN the operator restores again: refused, the two names said
        assert admin.main(["restore-tables", "--suffix", "restored-r7", *restore_to[2:]]) == 1
        assert f"NotesTable as {table} and {copy}: the stack mixes two moments" in capsys.readouterr().err
        assert f"{table}-restored-r7" not in dynamodb.list_tables()["TableNames"]

        # WHEN the operator repoints it at the copy: every reference names it
        assert admin.main(["repoint", "--tables", "NotesTable", *restore_to]) == 0, capsys.readouterr().err
        arn = dynamodb.describe_table(TableName=copy)["Table"]["TableArn"]
        assert _parameters(cloudformation, ssm, "mini") == {"NotesTableName": copy, "NotesTableArn": f"{arn}/index/*"}
    finally:
        cloudformation.delete_stack(StackName="mini")
        _drop(dynamodb, copy)
