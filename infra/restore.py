"""Recovery of a deployed stack's data to an earlier moment: its DynamoDB tables by point-in-time
restore, and objects of its buckets by their versions (docs/runbooks.md, "Restore").

    python -m infra.admin restore-tables --stack patient-portal --at 2026-12-05T14:30:00Z \
        --artifacts-bucket YOUR-ARTIFACTS-BUCKET                                  (make restore)
    python -m infra.admin repoint --stack patient-portal --suffix restored-20261205T1430 \
        --artifacts-bucket YOUR-ARTIFACTS-BUCKET
    python -m infra.admin repoint --suffix restored-20261205T1430 --stack patient-portal \
        --template build/package/packaged.yaml --out build/package/restored.yaml
    python -m infra.admin restore-objects --stack patient-portal --bucket DocumentsBucket \
        --prefix documents/ --at 2026-12-05T14:30:00Z [--dry-run]                 (make restore-objects)

A table restores only into a new table, so restore-tables restores each of the stack's tables
(or those --tables names) into ``<table>-<suffix>``, all at once, waits for them, gives them what a
restore leaves behind (point-in-time recovery, deletion protection, the stream, time to live,
tags), then repoints the stack: it takes the stack's deployed template, replaces every reference
to each restored table (the functions' environment, every policy's grant, the feed's stream
event source, alarms) with the new table's name and ARNs, leaving the old table's own resource as
it is (kept, untouched: the evidence), and updates the stack with it, its parameters unchanged.
Repointing through CloudFormation, rather than the functions' environment alone, moves the
policies with the names (the functions' roles grant each table by its ARN) and leaves no drift.
A later deploy from the repository's template would point back at the old tables: rewrite its
packaged template with ``repoint --template`` first (docs/runbooks.md says when this ends).

What is restored is what the stack uses now, as its deployed template says: after an earlier
restore, the copy it made (the originals are kept and no longer written), so a second restore
gives ``<table>-<suffix1>-<suffix2>`` and its repoint replaces the copy's names and ARNs written in
by the first (infra/restore_template.py). Refused, with what to do, before anything is restored
or updated: a moment before a table's recovery window (a copy is recoverable only from its own
restore), a repoint of a stack some of whose tables have no copy with the suffix (it would mix two
moments; --tables names the ones meant), a template naming two copies of one table.

A bucket is versioned, so restore-objects puts back, for each key under a prefix, the version
that was current at the moment given: a copy of that version on top (history is kept, object lock
is honoured), or a delete marker where there was no object then.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infra.restore_template import TABLE, Refused, RestoredTable, names_in_use, repointed, tables_in_use

BUCKET = "AWS::S3::Bucket"


# -- the stack's resources ---------------------------------------------------------------------


def stack_resources(cloudformation: Any, stack: str, kind: str) -> dict[str, str]:
    """Logical id -> physical name of the stack's resources of one type."""
    found: dict[str, str] = {}
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack):
        for resource in page["StackResourceSummaries"]:
            if resource["ResourceType"] == kind:
                found[resource["LogicalResourceId"]] = resource["PhysicalResourceId"]
    return found


# -- tables ------------------------------------------------------------------------------------


def restore_tables(
    dynamodb: Any, tables: dict[str, str], *, at: datetime | None, suffix: str, delay: int = 20
) -> list[RestoredTable]:
    """Each table restored into ``<name>-<suffix>`` as it was ``at`` (None: the latest restorable
    moment, about five minutes ago). All restores start before any is waited for: DynamoDB runs
    up to 50 at once per account, so the whole takes as long as the largest table."""
    sources = {logical: dynamodb.describe_table(TableName=name)["Table"] for logical, name in tables.items()}
    started = time.monotonic()
    for logical, name in tables.items():
        when: dict[str, Any] = {"RestoreDateTime": at} if at else {"UseLatestRestorableTime": True}
        # The table's own KMS key, as the template gives every table (a restore may otherwise fall back to
        # an AWS owned key).
        key = sources[logical].get("SSEDescription", {}).get("KMSMasterKeyArn")
        sse = {"SSEType": "KMS", "Enabled": True, "KMSMasterKeyId": key} if key else None
        dynamodb.restore_table_to_point_in_time(
            SourceTableName=name,
            TargetTableName=f"{name}-{suffix}",
            BillingModeOverride="PAY_PER_REQUEST",
            **when,
            **({"SSESpecificationOverride": sse} if sse else {}),
        )
    restored = []
    for logical, name in tables.items():
        target = f"{name}-{suffix}"
        dynamodb.get_waiter("table_exists").wait(TableName=target, WaiterConfig={"Delay": delay, "MaxAttempts": 720})
        ready = time.monotonic() - started
        restored.append(dataclasses.replace(_settle(dynamodb, logical, sources[logical], target), ready_after_s=ready))
    return restored


def _settle(dynamodb: Any, logical: str, source: dict[str, Any], target: str) -> RestoredTable:
    """What a restore does not carry over, set as the source had it (or as the template demands:
    point-in-time recovery and deletion protection always)."""
    name = source["TableName"]
    dynamodb.update_continuous_backups(
        TableName=target, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    changes: dict[str, Any] = {"DeletionProtectionEnabled": True}
    if source.get("StreamSpecification", {}).get("StreamEnabled"):
        changes["StreamSpecification"] = source["StreamSpecification"]
    dynamodb.update_table(TableName=target, **changes)
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        dynamodb.update_time_to_live(
            TableName=target, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
        )
    described = dynamodb.describe_table(TableName=target)["Table"]
    tags = dynamodb.list_tags_of_resource(ResourceArn=source["TableArn"]).get("Tags", [])
    own = [tag for tag in tags if not tag["Key"].startswith("aws:")]  # aws: tags are CloudFormation's
    if own:
        dynamodb.tag_resource(ResourceArn=described["TableArn"], Tags=own)
    return RestoredTable(logical, name, target, described["TableArn"], described.get("LatestStreamArn", ""))


# -- repointing the stack ----------------------------------------------------------------------


def deployed_template(cloudformation: Any, stack: str) -> dict[str, Any]:
    from infra.local.template import _CfnLoader

    body = cloudformation.get_template(StackName=stack, TemplateStage="Original")["TemplateBody"]
    if isinstance(body, dict):
        return body
    import yaml

    return yaml.load(body, Loader=_CfnLoader)  # noqa: S506  (the CloudFormation tags, no Python objects)


def update_stack(cloudformation: Any, s3: Any, stack: str, template: dict[str, Any], bucket: str, key: str) -> None:
    """Deploy the repointed template, every parameter as it is. A template this size (beyond the
    51,200 bytes of a TemplateBody) goes through the artifacts bucket."""
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(template, default=str).encode())
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=3600)
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    cloudformation.update_stack(
        StackName=stack,
        TemplateURL=url,
        Parameters=[
            {"ParameterKey": p["ParameterKey"], "UsePreviousValue": True} for p in described.get("Parameters", [])
        ],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    cloudformation.get_waiter("stack_update_complete").wait(
        StackName=stack, WaiterConfig={"Delay": 15, "MaxAttempts": 240}
    )


def restored_by_suffix(dynamodb: Any, tables: dict[str, set[str]], suffix: str) -> list[RestoredTable]:
    """The copies an earlier restore-tables made with this suffix of the tables the stack uses (for
    repoint), one for every table: a stack repointed at some only would mix two moments, so a
    missing one is refused, by name. A table the stack already uses is its own copy (a repoint
    run again, or ``--template`` after the stack's). A table the template names twice (a half
    repoint) gets one entry per name, all pointing at the one copy that exists."""
    found, missing = [], []
    for logical, names in tables.items():
        copies = {}
        for target in {name if name.endswith(f"-{suffix}") else f"{name}-{suffix}" for name in names}:
            try:
                copies[target] = dynamodb.describe_table(TableName=target)["Table"]
            except dynamodb.exceptions.ResourceNotFoundException:
                continue
        if not copies:
            missing.append(logical)
            continue
        if len(copies) > 1:
            raise Refused(f"{logical} has copies {' and '.join(sorted(copies))}: name the one meant by its suffix")
        [(target, described)] = copies.items()
        stream = described.get("LatestStreamArn", "")
        found += [RestoredTable(logical, name, target, described["TableArn"], stream) for name in sorted(names)]
    if missing:
        raise Refused(
            f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no -{suffix} copy, and a stack repointed at"
            " the others would mix two moments. Restore them into it (restore-tables --tables"
            f" {','.join(missing)} --suffix {suffix} --no-repoint, with the same --at), or repoint only the others"
            " (repoint --tables ...)"
        )
    return found


def too_early(dynamodb: Any, tables: dict[str, str], at: datetime) -> list[str]:
    """Why a table cannot go back to ``at``: a table is restorable only from its own creation, and
    the copy an earlier restore made was created then (what came before is in the kept one)."""
    reasons = []
    for logical, name in tables.items():
        described = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        earliest = described.get("PointInTimeRecoveryDescription", {}).get("EarliestRestorableDateTime")
        if earliest and at < earliest:
            reasons.append(
                f"{logical} ({name}) goes back to {earliest.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ} at the earliest"
            )
    return reasons


# -- objects -----------------------------------------------------------------------------------


@dataclass
class ObjectsRestored:
    copied: int = 0  # a key given back the content it had
    removed: int = 0  # a key that did not exist then, hidden again by a delete marker
    unchanged: int = 0


def restore_objects(s3: Any, bucket: str, prefix: str, at: datetime, *, write: bool = True) -> ObjectsRestored:
    """Every key under ``prefix`` as it was at ``at``, by its versions: a copy of the version then
    current put on top (its content, metadata and tags; the bucket's encryption and object lock
    apply to the copy), or a delete marker where the key had none. Nothing is deleted for good."""
    # Per key: (when, the current one last among equal times, version id, a delete marker?)
    versions: dict[str, list[tuple[datetime, bool, str, bool]]] = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        for entries, marker in ((page.get("Versions", []), False), (page.get("DeleteMarkers", []), True)):
            for entry in entries:
                versions.setdefault(entry["Key"], []).append(
                    (entry["LastModified"], entry["IsLatest"], entry["VersionId"], marker)
                )
    done = ObjectsRestored()
    for key, history in versions.items():
        history.sort(key=lambda entry: (entry[0], entry[1]))
        current = history[-1]
        then = [entry for entry in history if entry[0] <= at]
        wanted = then[-1] if then else None
        if wanted is None or wanted[3]:  # absent at that moment
            if current[3]:
                done.unchanged += 1
                continue
            done.removed += 1
            if write:
                s3.delete_object(Bucket=bucket, Key=key)
            continue
        if wanted[2] == current[2]:
            done.unchanged += 1
            continue
        done.copied += 1
        if write:
            s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key, "VersionId": wanted[2]})
    return done


# -- the commands ------------------------------------------------------------------------------


def moment(text: str) -> datetime:
    """An ISO 8601 moment with its offset (2026-12-05T14:30:00Z); refused without one."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 moment like 2026-12-05T14:30:00Z") from error
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no offset: add Z for UTC")
    return parsed.astimezone(UTC)


def main(command: str, argv: list[str]) -> int:
    import boto3

    parser = argparse.ArgumentParser(prog=f"python -m infra.admin {command}", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", required=True)
    if command == "restore-objects":
        parser.add_argument("--bucket", required=True, help="the bucket's logical id, e.g. DocumentsBucket")
        parser.add_argument("--prefix", default="", help="only keys under it (all when empty)")
        parser.add_argument("--at", required=True, type=moment, help="the moment to go back to (ISO 8601, with Z)")
        parser.add_argument("--dry-run", action="store_true", help="count what would change, change nothing")
    else:
        parser.add_argument("--tables", default="", help="logical ids, comma-separated (all the stack's tables)")
        parser.add_argument("--artifacts-bucket", default="", help="where the repointed template is uploaded")
        if command == "restore-tables":
            parser.add_argument(
                "--at", type=moment, help="the moment to go back to (ISO 8601, with Z); else the latest"
            )
            parser.add_argument("--suffix", default="", help="of the new tables' names (restored-<UTC moment>)")
            parser.add_argument("--no-repoint", action="store_true", help="restore only; repoint later")
        else:
            parser.add_argument("--suffix", required=True, help="as restore-tables printed it")
            parser.add_argument("--template", help="rewrite this packaged template instead of updating the stack")
            parser.add_argument("--out", help="where the rewritten template goes (with --template)")
    args = parser.parse_args(argv)
    cloudformation, s3 = boto3.client("cloudformation"), boto3.client("s3")

    if command == "restore-objects":
        buckets = stack_resources(cloudformation, args.stack, BUCKET)
        if args.bucket not in buckets:
            print(
                f"refused: the stack has no bucket {args.bucket} (it has {', '.join(sorted(buckets))})", file=sys.stderr
            )
            return 1
        done = restore_objects(s3, buckets[args.bucket], args.prefix, args.at, write=not args.dry_run)
        verb = "would be" if args.dry_run else "were"
        print(
            f"{done.copied} objects {verb} given their earlier version, {done.removed} hidden again, {done.unchanged} unchanged"
        )
        return 0

    dynamodb = boto3.client("dynamodb")
    try:
        return _tables(cloudformation, s3, dynamodb, command, args)
    except Refused as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return 1


def _tables(cloudformation: Any, s3: Any, dynamodb: Any, command: str, args: argparse.Namespace) -> int:
    tables = stack_resources(cloudformation, args.stack, TABLE)
    wanted = [name.strip() for name in args.tables.split(",") if name.strip()] or sorted(tables)
    unknown = sorted(set(wanted) - set(tables))
    if unknown:
        raise Refused(f"the stack has no table {', '.join(unknown)} (it has {', '.join(sorted(tables))})")
    # What the stack uses now, not the tables it was created with: after an earlier restore those are
    # the kept ones, no longer written.
    deployed = deployed_template(cloudformation, args.stack)
    tables = {logical: tables[logical] for logical in wanted}
    if command == "repoint":  # (a table named twice is repointed whole, at the one copy there is)
        names = names_in_use(deployed, tables)
    else:
        tables = tables_in_use(deployed, tables)
    updates_stack = not (args.no_repoint if command == "restore-tables" else args.template)
    if updates_stack and not args.artifacts_bucket:  # said before anything is restored
        raise Refused("--artifacts-bucket is needed to update the stack (the template is too large to send inline)")
    if command == "restore-tables":
        if args.at and (reasons := too_early(dynamodb, tables, args.at)):
            raise Refused(f"{'; '.join(reasons)}: choose a later moment (docs/runbooks.md, Restore)")
        suffix = args.suffix or f"restored-{datetime.now(UTC):%Y%m%dT%H%M%S}"
        restored = restore_tables(dynamodb, tables, at=args.at, suffix=suffix)
        for table in restored:
            minutes = table.ready_after_s / 60
            print(f"{table.logical_id}: {table.source} restored into {table.target} (ready after {minutes:.1f} min)")
        if args.no_repoint:
            print(f"not repointed: python -m infra.admin repoint --stack {args.stack} --suffix {suffix}")
            return 0
    else:
        suffix = args.suffix
        restored = restored_by_suffix(dynamodb, names, suffix)
    if command == "repoint" and args.template:
        from infra.local.template import load_template

        out = args.out or args.template
        with open(out, "w") as handle:
            json.dump(repointed(load_template(args.template), restored), handle, indent=1, default=str)
        print(f"{out}: {len(tables)} tables repointed to their -{suffix} copies; deploy this one")
        return 0
    if all(table.source == table.target for table in restored):
        print(f"{args.stack} already uses the -{suffix} tables; nothing to update")
        return 0
    template = repointed(deployed_template(cloudformation, args.stack), restored)  # (as it is now, after the restores)
    update_stack(cloudformation, s3, args.stack, template, args.artifacts_bucket, f"restore/{args.stack}-{suffix}.json")
    # Said only once the deployed template says it.
    now = tables_in_use(
        deployed_template(cloudformation, args.stack), stack_resources(cloudformation, args.stack, TABLE)
    )
    behind = [table.logical_id for table in restored if now[table.logical_id] != table.target]
    if behind:
        raise Refused(f"the stack was updated but still does not use the -{suffix} copy of {', '.join(behind)}")
    print(f"{args.stack} now uses the -{suffix} tables; the old ones are kept as they were")
    return 0
