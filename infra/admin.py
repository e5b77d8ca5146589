"""The first admin of a deployment (there is nobody yet to create one through the API).

    python -m infra.admin --function <deployed API function name> \
        --organization-id albany-medical-center --organization-name "Albany Medical Center" \
        --mrn-authority AMC-MRN --time-zone America/New_York \
        --username jane.admin --email jane.admin@hospital.example

It reads the resource names from the deployed API function's own environment (so it writes to
exactly the tables that stack uses), creates the organization if it is new, and the admin account
with a password typed at the prompt (or PORTAL_ADMIN_PASSWORD, for automation). The admin must
set up a second factor at first sign-in. Needs credentials allowed to read that function's
configuration and write the accounts, organizations and audit tables. docs/deploying.md.

    python -m infra.admin backfill-staff-list --stack patient-portal     (make backfill-staff-list)
    python -m infra.admin backfill-patient-search --stack patient-portal (make backfill-patient-search)
    python -m infra.admin backfill-upcoming --stack patient-portal       (make backfill-upcoming)
    python -m infra.admin backfill-quarantine --stack patient-portal     (make backfill-quarantine)
    python -m infra.admin backfill-hot-keys --stack patient-portal       (make backfill-hot-keys)
    python -m infra.admin backfill-worklist --stack patient-portal       (make backfill-worklist)
    python -m infra.admin backfill-results-list --stack patient-portal   (make backfill-results-list)

After an upgrade to a version whose staff list reads the accounts table's by-organization index:
puts the staff and admin accounts written before it into that index, so they are listed
(GET /v1/admin/staff) without waiting for their owners' next sign-in, which those who left never
make. Likewise for the results and documents still waiting for release (the patient's "on its
way" list reads a sparse index of them) and the quarantined and held feed messages (the staff
lists read them by organization), the staff worklist's open items (its list reads a sparse
index of them), and the results filed before the results list read their summaries. Safe to run again (a second run finds nothing to do);
``--dry-run`` only counts.

    python -m infra.admin assign-feed-source --stack patient-portal \
        --sender 'LAB|AMC' --organization-id albany-medical-center --default-authority AMC-MRN

The operator's registration of a feed sender: what the API refuses an admin (the catch-all, a
sender moving between organizations, one whose messages wait unowned in quarantine). It replaces
any earlier registration, is audited under the operator, and from then on the organization's
staff see, and may replay, the sender's quarantined messages. docs/deploying.md.

    python -m infra.admin set-time-zone --stack patient-portal \
        --organization-id albany-medical-center --time-zone America/New_York

The organization's time zone (its admins may set it too: PUT /v1/admin/organization): feed times
sent without an offset are read in it from then on. Audited under the operator.

    python -m infra.admin dead-letters --stack patient-portal [--queue notifications]   (make dead-letters)
    python -m infra.admin redrive --stack patient-portal [--queue notifications|inbound|outbound|acks|all]
                                                                                           (make redrive)

What waits on the dead-letter queues (queue, when first sent, receive count, kind, and the
notification's delivery record id or the inbound message's sender and control id; never an address
or a body), and, once the cause is fixed, every waiting message moved back to the queue it came
from (chalicelib/adapters/dead_letters.py). Against the local stack without --stack. docs/runbooks.md.

    python -m infra.admin restore-tables --stack patient-portal --at 2026-12-05T14:30:00Z ...  (make restore)
    python -m infra.admin repoint ...  /  restore-objects ...                              (make restore-objects)

Recovery: the stack's tables restored to a moment into new tables and the stack repointed at them;
a bucket's objects put back to their versions of a moment (infra/restore.py; docs/runbooks.md).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import Any

BACKFILL_STAFF_LIST = "backfill-staff-list"
BACKFILL_PATIENT_SEARCH = "backfill-patient-search"
BACKFILL_UPCOMING = "backfill-upcoming"
BACKFILL_QUARANTINE = "backfill-quarantine"
BACKFILL_HOT_KEYS = "backfill-hot-keys"
BACKFILL_WORKLIST = "backfill-worklist"
BACKFILL_RESULTS_LIST = "backfill-results-list"
ASSIGN_FEED_SOURCE = "assign-feed-source"
SET_TIME_ZONE = "set-time-zone"
DEAD_LETTERS = "dead-letters"
REDRIVE = "redrive"
RESTORE_COMMANDS = ("restore-tables", "repoint", "restore-objects")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [BACKFILL_STAFF_LIST]:
        return backfill_staff_list(argv[1:])
    if argv[:1] == [BACKFILL_PATIENT_SEARCH]:
        return backfill_patient_search(argv[1:])
    if argv[:1] == [BACKFILL_UPCOMING]:
        return backfill_upcoming(argv[1:])
    if argv[:1] == [BACKFILL_QUARANTINE]:
        return backfill_quarantine(argv[1:])
    if argv[:1] == [BACKFILL_HOT_KEYS]:
        return backfill_hot_keys(argv[1:])
    if argv[:1] == [BACKFILL_WORKLIST]:
        return backfill_worklist(argv[1:])
    if argv[:1] == [BACKFILL_RESULTS_LIST]:
        return backfill_results_list(argv[1:])
    if argv[:1] == [ASSIGN_FEED_SOURCE]:
        return assign_feed_source(argv[1:])
    if argv[:1] == [SET_TIME_ZONE]:
        return set_time_zone(argv[1:])
    if argv[:1] == [DEAD_LETTERS]:
        return dead_letters(argv[1:])
    if argv[:1] == [REDRIVE]:
        return redrive(argv[1:])
    if argv[:1] and argv[0] in RESTORE_COMMANDS:  # recovery: infra/restore.py
        from infra import restore

        return restore.main(argv[0], argv[1:])
    parser = argparse.ArgumentParser(prog="python -m infra.admin", description=__doc__.split("\n\n")[0])
    parser.add_argument("--function", help="the deployed API function; without it, the environment is used as is")
    parser.add_argument("--organization-id", required=True)
    parser.add_argument("--organization-name", required=True)
    parser.add_argument("--mrn-authority", default="", help="assigning authority of the organization's MRNs")
    parser.add_argument(
        "--time-zone", default="", help="IANA name (America/Chicago) of a new organization; else the deployment's"
    )
    parser.add_argument("--username", required=True)
    parser.add_argument("--email", required=True)
    args = parser.parse_args(argv)

    _use_stack(function=args.function)
    from chalicelib import wiring
    from chalicelib.accounts import service as accounts
    from chalicelib.accounts.domain import Role
    from chalicelib.audit import service as audit
    from chalicelib.audit.domain import Action, Actor, Outcome
    from chalicelib.errors import PortalError
    from chalicelib.kernel.zones import is_zone_name

    if args.time_zone and not is_zone_name(args.time_zone):
        print(f"refused: {args.time_zone} is not a time zone name (e.g. America/New_York)", file=sys.stderr)
        return 1
    password = os.environ.get("PORTAL_ADMIN_PASSWORD") or _prompt()
    container = wiring.container()
    try:
        accounts.ensure_organization(
            container.directory,
            args.organization_id,
            args.organization_name,
            mrn_authority=args.mrn_authority,
            now=container.clock.now(),
            time_zone=args.time_zone,
        )
        account = accounts.create_staff_account(
            container.directory,
            organization_id=args.organization_id,
            username=args.username,
            password=password,
            role=Role.ADMIN,
            email=args.email,
            now=container.clock.now(),
        )
    except PortalError as error:
        print(f"refused: {error.message} {error.details or ''}", file=sys.stderr)
        return 1
    audit.append_event(
        container.audit_log,
        actor=Actor(account_id="operator:infra.admin", role="operator"),
        action=Action.CREATE,
        event_type="staff_account.created",
        outcome=Outcome.SUCCESS,
        resource_type="Account",
        resource_id=account.account_id,
        reason="first_admin",
        recorded_at=container.clock.now(),
    )
    print(f"admin {account.username} created in {args.organization_id}; sign in and set up a second factor")
    return 0


def backfill_staff_list(argv: list[str]) -> int:
    return _backfill(
        argv,
        BACKFILL_STAFF_LIST,
        "List the staff and admin accounts written before the staff list's index existed.",
        lambda container, write: container.directory.backfill_staff_list(write=write),
        things="staff and admin accounts",
        index="the staff list",
        left_because="saved meanwhile, or no longer staff",
    )


def backfill_patient_search(argv: list[str]) -> int:
    return _backfill(
        argv,
        BACKFILL_PATIENT_SEARCH,
        "Make the patients written before the search by name and birth date existed findable by it.",
        lambda container, write: container.patients.backfill_birth_date_index(write=write),
        things="patients",
        index="the search by birth date",
        left_because="saved meanwhile",
    )


def backfill_upcoming(argv: list[str]) -> int:
    return _backfill(
        argv,
        BACKFILL_UPCOMING,
        "List the results and documents waiting for release that were filed before the waiting index existed.",
        lambda container, write: container.records.backfill_waiting_index(container.clock.now(), write=write),
        things="results and documents waiting for release",
        index="the waiting index",
        left_because="changed or released meanwhile",
    )


def backfill_quarantine(argv: list[str]) -> int:
    return _backfill(
        argv,
        BACKFILL_QUARANTINE,
        "Key the quarantined and held feed messages written before the organization's index existed.",
        lambda container, write: container.feed_messages.backfill_organization_index(
            container.records.feed_source, write=write
        ),
        things="quarantined and held feed messages",
        index="their organization's list",
        left_because="moved on meanwhile",
    )


def backfill_hot_keys(argv: list[str]) -> int:
    def run(container: Any, write: bool) -> Any:
        from chalicelib.data.dynamo import Backfill

        feed = container.feed_messages.backfill_status_shards(write=write)
        trail = container.audit_log.backfill_actor_keys(write=write)
        return Backfill(
            missing=feed.missing + trail.missing, added=feed.added + trail.added, left=feed.left + trail.left
        )

    return _backfill(
        argv,
        BACKFILL_HOT_KEYS,
        "Key the feed messages and audit events written before the sharded indexes existed.",
        run,
        things="feed messages and audit events",
        index="the by-status-shard and by-actor-key indexes",
        left_because="moved on or keyed meanwhile",
    )


def backfill_worklist(argv: list[str]) -> int:
    return _backfill(
        argv,
        BACKFILL_WORKLIST,
        "List the staff worklist's items opened before its open index existed.",
        lambda container, write: container.worklist.backfill_open_index(write=write),
        things="open worklist items",
        index="the worklist's open index",
        left_because="closed meanwhile",
    )


def backfill_results_list(argv: list[str]) -> int:
    return _backfill(
        argv,
        BACKFILL_RESULTS_LIST,
        "Write the list summaries of the results filed before the results list read summaries.",
        lambda container, write: container.records.backfill_result_summaries(write=write),
        things="results",
        index="the results list",
        left_because="summarized meanwhile",
    )


def _backfill(
    argv: list[str],
    command: str,
    description: str,
    run: Callable[[Any, bool], Any],
    *,
    things: str,
    index: str,
    left_because: str,
) -> int:
    """An operator's backfill of an index's keys (chalicelib.data.dynamo.Backfill): counted only
    with --dry-run, and said in words either way."""
    parser = argparse.ArgumentParser(prog=f"python -m infra.admin {command}", description=description)
    _stack_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help=f"count the {things} to add, change nothing")
    args = parser.parse_args(argv)

    _use_stack(function=args.function, stack=args.stack)
    from chalicelib import wiring
    from chalicelib.errors import PortalError

    try:
        done = run(wiring.container(), not args.dry_run)
    except PortalError as error:
        print(f"failed: {error.message}", file=sys.stderr)
        return 1
    if args.dry_run:
        print(f"{done.missing} {things} are missing from {index}; nothing changed")
    else:
        print(
            f"{done.missing} {things} were missing from {index}: {done.added} added, "
            f"{done.left} left as they are ({left_because})"
        )
    return 0


def _stack_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the command works: a deployed stack, its API function, or this environment as is."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack", help="the deployed stack's name (its APIHandlerName output is the API function)")
    where.add_argument("--function", help="the deployed API function; without either, the environment is used as is")


def assign_feed_source(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python -m infra.admin {ASSIGN_FEED_SOURCE}",
        description="Register a feed sender to an organization, whoever held it before.",
    )
    _stack_arguments(parser)
    parser.add_argument("--sender", required=True, help="exactly as intake reads it, e.g. 'LAB|AMC'")
    parser.add_argument("--organization-id", required=True)
    parser.add_argument("--default-authority", default="", help="authority of the sender's bare identifiers")
    parser.add_argument(
        "--authority",
        action="append",
        default=[],
        metavar="SENT_AS=AUTHORITY",
        help="a name the sender writes (namespace id, OID, FHIR system) and the organization's authority it "
        "stands for; repeat for each",
    )
    parser.add_argument(
        "--category",
        action="append",
        default=[],
        metavar="CODE=CATEGORY",
        help="one of the sender's codes as it writes it, '<system>|<code>' (e.g. '99LAB|SURGPATH'), and what a report "
        "with it is: lab, pathology, imaging, vital_signs or other; repeat for each",
    )
    args = parser.parse_args(argv)

    _use_stack(function=args.function, stack=args.stack)
    from chalicelib import wiring
    from chalicelib.audit import service as audit
    from chalicelib.audit.domain import Action, Actor, Outcome
    from chalicelib.errors import PortalError
    from chalicelib.feeds.domain import FeedSource
    from chalicelib.feeds.envelope import _is_identity
    from chalicelib.feeds.sources import category_codes, declarations, source_id

    if not _is_identity(args.sender):
        print("refused: the sender is 1 to 256 printable characters, as intake reads it", file=sys.stderr)
        return 1
    container = wiring.container()
    try:
        if container.directory.organization(args.organization_id) is None:
            print(f"refused: no organization {args.organization_id} (create it first)", file=sys.stderr)
            return 1
        pairs = [tuple(pair.split("=", 1)) for pair in args.authority]
        if any(len(pair) != 2 or not all(pair) for pair in pairs):
            print("refused: each --authority is SENT_AS=AUTHORITY", file=sys.stderr)
            return 1
        declared = declarations([(sent, authority) for sent, authority in pairs])
        mapping = [tuple(pair.rsplit("=", 1)) for pair in args.category]
        if any(len(pair) != 2 or not all(pair) for pair in mapping):
            print("refused: each --category is CODE=CATEGORY", file=sys.stderr)
            return 1
        categories = category_codes([(code, category.strip()) for code, category in mapping])
        container.records.add_feed_source(
            FeedSource(
                args.sender,
                args.organization_id,
                args.default_authority,
                authorities=declared,
                category_codes=categories,
            )
        )
    except PortalError as error:
        print(f"failed: {error.message}", file=sys.stderr)
        for detail in error.details:  # every entry that cannot be kept, by its place
            if detail.get("field"):
                print(f"  {detail['field']}: {detail.get('issue', '')}", file=sys.stderr)
        return 1
    audit.append_event(
        container.audit_log,
        actor=Actor(account_id="operator:infra.admin", role="operator"),
        action=Action.UPDATE,
        event_type="feed_source.changed",
        outcome=Outcome.SUCCESS,
        resource_type="Endpoint",
        resource_id=source_id(args.sender),
        reason=f"assigned:{args.organization_id}",
        recorded_at=container.clock.now(),
    )
    print(f"{args.sender} files for {args.organization_id} from now on; its quarantined messages are theirs to replay")
    return 0


def set_time_zone(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python -m infra.admin {SET_TIME_ZONE}",
        description="Set the time zone an organization's feed times without an offset are read in.",
    )
    _stack_arguments(parser)
    parser.add_argument("--organization-id", required=True)
    parser.add_argument("--time-zone", required=True, help="an IANA name, e.g. America/New_York")
    args = parser.parse_args(argv)

    _use_stack(function=args.function, stack=args.stack)
    from chalicelib import wiring
    from chalicelib.audit import service as audit
    from chalicelib.audit.domain import Action, Actor, Outcome
    from chalicelib.errors import PortalError
    from chalicelib.kernel.zones import is_zone_name

    if not is_zone_name(args.time_zone):
        print(f"refused: {args.time_zone} is not a time zone name (e.g. America/New_York)", file=sys.stderr)
        return 1
    container = wiring.container()
    try:
        container.directory.set_time_zone(args.organization_id, args.time_zone)
    except PortalError as error:
        print(f"refused: {error.message}", file=sys.stderr)
        return 1
    audit.append_event(
        container.audit_log,
        actor=Actor(account_id="operator:infra.admin", role="operator"),
        action=Action.UPDATE,
        event_type="organization.time_zone_changed",
        outcome=Outcome.SUCCESS,
        resource_type="Organization",
        resource_id=args.organization_id,
        recorded_at=container.clock.now(),
    )
    print(f"{args.organization_id} reads feed times without an offset in {args.time_zone} from now on")
    return 0


def _queue_arguments(command: str, description: str, argv: list[str]) -> tuple[Any, list[str]]:
    from chalicelib.adapters.dead_letters import QUEUES

    parser = argparse.ArgumentParser(prog=f"python -m infra.admin {command}", description=description)
    _stack_arguments(parser)
    parser.add_argument("--local", action="store_true", help="the running local stack (make run)")
    parser.add_argument("--queue", choices=[*QUEUES, "all"], default="all", help="whose dead-letter queue (all)")
    args = parser.parse_args(argv)
    if args.local:
        _use_local_stack()
    _use_stack(function=args.function, stack=args.stack)
    from chalicelib import wiring

    return wiring.container(), list(QUEUES) if args.queue == "all" else [args.queue]


def dead_letters(argv: list[str]) -> int:
    from chalicelib.adapters.dead_letters import list_dead_letters

    container, queues = _queue_arguments(DEAD_LETTERS, "List what waits on the dead-letter queues.", argv)
    letters = list_dead_letters(container.client("sqs"), container.settings, queues)
    for letter in letters:
        print(letter.line())
    waiting = {queue: sum(1 for letter in letters if letter.queue == queue) for queue in queues}
    print("; ".join(f"{queue}: {count} waiting" for queue, count in waiting.items()))
    if letters:
        print("once the cause is fixed: python -m infra.admin redrive (make redrive)")
    return 0


def redrive(argv: list[str]) -> int:
    from chalicelib.adapters.dead_letters import redrive as move_back
    from chalicelib.audit import service as audit
    from chalicelib.audit.domain import Action, Actor, Outcome

    container, queues = _queue_arguments(REDRIVE, "Move dead-lettered messages back to their queues.", argv)
    done = move_back(container.client("sqs"), container.settings, queues)
    from chalicelib.errors import PortalError
    from chalicelib.feeds import quarantine

    for body in done.inbound_bodies:  # back on the queue: no longer waiting in quarantine
        try:
            quarantine.redriven(container, body.encode("utf-8"))
        except PortalError:
            print("an inbound message's quarantine entry was left open (staff may dismiss it)", file=sys.stderr)
    for queue in queues:
        audit.append_event(
            container.audit_log,
            actor=Actor(account_id="operator:infra.admin", role="operator"),
            action=Action.UPDATE,
            event_type="dead_letters.redriven",
            outcome=Outcome.SUCCESS if not done.failed.get(queue) else Outcome.FAILURE,
            resource_type="Endpoint",
            resource_id=queue,
            reason=f"moved:{done.moved.get(queue, 0)}",
            recorded_at=container.clock.now(),
        )
        failed = done.failed.get(queue, 0)
        print(f"{queue}: {done.moved.get(queue, 0)} moved back" + (f", {failed} left (run again)" if failed else ""))
    return 1 if done.failed else 0


def _use_local_stack() -> None:
    """Point this process at the running local stack, found as ``make feed`` finds it."""
    from infra.local.feed import _point_at
    from infra.local.state import running_stack, state_file

    stack = running_stack(state_file())
    if stack is None:
        raise SystemExit("The local portal is not running: start it with `make run` in another terminal.")
    _point_at(stack, os.environ)


def _use_stack(*, function: str | None, stack: str | None = None) -> None:
    """Take the deployed API function's environment (its tables, key and settings), named directly
    or as the stack's APIHandlerName output; with neither, the environment is used as is."""
    if not function and not stack:
        return
    import boto3

    if stack:
        described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
        outputs = {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}
        function = outputs["APIHandlerName"]
    configuration = boto3.client("lambda").get_function_configuration(FunctionName=function)
    os.environ.update(configuration.get("Environment", {}).get("Variables", {}))


def _prompt() -> str:
    first = getpass.getpass("Password for the new admin (8 to 128 characters): ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("the two passwords differ")
    return first


if __name__ == "__main__":
    sys.exit(main())
