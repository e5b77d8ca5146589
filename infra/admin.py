"""The first admin of a deployment (there is nobody yet to create one through the API).

    python -m infra.admin --function <deployed API function name> \
        --organization-id albany-medical-center --organization-name "Albany Medical Center" \
        --mrn-authority AMC-MRN --username jane.admin --email jane.admin@hospital.example

It reads the resource names from the deployed API function's own environment (so it writes to
exactly the tables that stack uses), creates the organization if it is new, and the admin account
with a password typed at the prompt (or PORTAL_ADMIN_PASSWORD, for automation). The admin must
set up a second factor at first sign-in. Needs credentials allowed to read that function's
configuration and write the accounts, organizations and audit tables. docs/deploying.md.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.admin", description=__doc__.split("\n\n")[0])
    parser.add_argument("--function", help="the deployed API function; without it, the environment is used as is")
    parser.add_argument("--organization-id", required=True)
    parser.add_argument("--organization-name", required=True)
    parser.add_argument("--mrn-authority", default="", help="assigning authority of the organization's MRNs")
    parser.add_argument("--username", required=True)
    parser.add_argument("--email", required=True)
    args = parser.parse_args(argv)

    import boto3

    if args.function:
        configuration = boto3.client("lambda").get_function_configuration(FunctionName=args.function)
        os.environ.update(configuration.get("Environment", {}).get("Variables", {}))
    from chalicelib import wiring
    from chalicelib.accounts import service as accounts
    from chalicelib.accounts.domain import Role
    from chalicelib.audit import service as audit
    from chalicelib.audit.domain import Action, Actor, Outcome
    from chalicelib.errors import PortalError

    password = os.environ.get("PORTAL_ADMIN_PASSWORD") or _prompt()
    container = wiring.container()
    try:
        accounts.ensure_organization(
            container.directory,
            args.organization_id,
            args.organization_name,
            mrn_authority=args.mrn_authority,
            now=container.clock.now(),
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


def _prompt() -> str:
    first = getpass.getpass("Password for the new admin (8 to 128 characters): ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("the two passwords differ")
    return first


if __name__ == "__main__":
    sys.exit(main())
