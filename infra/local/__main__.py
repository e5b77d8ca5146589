"""``make run``: the whole portal on this machine until Ctrl-C.

Ports: PORTAL_PORT (API, default 8000) and PORTAL_AWS_PORT (AWS stand-in, default 5000). Both
answer only for 127.0.0.1, localhost and [::1]; PORTAL_ALLOWED_HOSTS (names separated by commas)
adds others. Data lives in memory for the run: stopping the stack forgets it.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("portal.local").setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log: one line per AWS call
    from infra.local.hosts import allowed_names_from
    from infra.local.stack import LocalStack, LocalStackOptions, PortInUse

    options = LocalStackOptions(
        api_port=int(os.environ.get("PORTAL_PORT", "8000")),
        aws_port=int(os.environ.get("PORTAL_AWS_PORT", "5000")),
        allowed_hosts=allowed_names_from(os.environ.get("PORTAL_ALLOWED_HOSTS", "")),
    )
    stack = LocalStack(options)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    try:
        stack.start()
    except PortInUse as error:
        stack.stop()
        print(f"Cannot start the local portal: {error}.", flush=True)
        return 2
    try:
        print(banner(stack), flush=True)
        stopped.wait()
    finally:
        print("Stopping the local portal ...", flush=True)
        stack.stop()
    return 0


def banner(stack) -> str:
    lines = [
        "",
        "Patient portal is running (stage local; data lives in memory for this run).",
        f"  API            {stack.api_url}         health: {stack.api_url}/v1/health",
        f"  Mailbox        {stack.api_url}/dev/mailbox",
        f"  AWS stand-in   {stack.aws_url}   (moto; AWS_ENDPOINT_URL={stack.aws_url})",
        f"  Inbound feed   {stack.provisioned.environment['PORTAL_CLINICAL_INBOUND_QUEUE_URL']}",
        "  Demo accounts (Albany Medical Center):",
    ]
    lines += [f"    {account.role:<6} {account.username} / {account.password}" for account in stack.seeded]
    lines += [
        "  Demo patient   Dana Rivera, MRN AMC-100001, born 1980-04-12: her history arrives through the",
        "                 feed (infra/local/demo/); invite her as staff to enroll (docs/api.md).",
        "  Send a message `make feed FILE=tests/samples/hl7v2/nist_ORU_R01_lead-high_v2.5.1.hl7`",
        "Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
