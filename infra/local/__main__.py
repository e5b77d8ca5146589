"""``make run``: the whole portal on this machine until Ctrl-C.

Ports: PORTAL_PORT (API, default 8000) and PORTAL_AWS_PORT (AWS stand-in, default 5000). Both
answer only for 127.0.0.1, localhost and [::1]; PORTAL_ALLOWED_HOSTS (names separated by commas)
adds others. Data lives in memory for the run: stopping the stack forgets it. While it runs,
.local/stack.json (or PORTAL_LOCAL_STATE) says where it is (infra/local/state.py).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time


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
    # The handlers only note the signal: a handler runs on the main thread between two bytecodes,
    # and one that took a lock (threading.Event.set) could interrupt that same thread while it held
    # it inside Event.wait, and wait for ever (seen: Ctrl-C that did not stop the stack).
    stop_asked: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: stop_asked.append(signum))
    signal.signal(signal.SIGINT, lambda signum, _frame: stop_asked.append(signum))
    try:
        stack.start()
    except PortInUse as error:
        stack.stop()
        print(f"Cannot start the local portal: {error}.", flush=True)
        return 2
    from infra.local.state import StackState, remove_state, state_file, write_state

    state_path = state_file()
    try:
        # Where `make feed` and other tools find this stack (removed again on the way out).
        write_state(
            state_path,
            StackState(
                pid=os.getpid(),
                api_url=stack.api_url,
                aws_url=stack.aws_url,
                environment={k: v for k, v in stack.provisioned.environment.items() if k.startswith("PORTAL_")},
            ),
        )
        print(banner(stack), flush=True)
        while not stop_asked:
            time.sleep(0.2)  # a signal ends the sleep at once; the loop then sees it
    finally:
        print("Stopping the local portal ...", flush=True)
        remove_state(state_path, os.getpid())
        stack.stop()
    return 0


def banner(stack) -> str:
    lines = [
        "",
        "Patient portal is running (stage local; data lives in memory for this run).",
        f"  Web portal     {stack.api_url}/",
        f"  API            {stack.api_url}/v1      health: {stack.api_url}/v1/health",
        f"  Mailbox        {stack.api_url}/dev/mailbox",
        f"  AWS stand-in   {stack.aws_url}   (moto; AWS_ENDPOINT_URL={stack.aws_url})",
        f"  Inbound feed   {stack.provisioned.environment['PORTAL_CLINICAL_INBOUND_QUEUE_URL']}",
        "  Demo accounts (Albany Medical Center):",
    ]
    lines += [f"    {account.role:<6} {account.username} / {account.password}" for account in stack.seeded]
    if any(account.role == "parent" for account in stack.seeded):
        lines.append("           (the parent acts for the demo child once the feed has filed her)")
    # No patient details here (names, birth dates, record numbers): a console is shared, scrolled
    # back, pasted into chats and captured by terminals' logs. Where to look is enough.
    lines += [
        "  Demo feed      a demo patient's history arrives through the feed (infra/local/demo/,",
        "                 described in its README.md); staff find and invite them (docs/api.md).",
        "  Send a message `make feed FILE=tests/samples/hl7v2/nist_ORU_R01_lead-high_v2.5.1.hl7`",
        "Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
