from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters import AWS_FAILURES
from chalicelib.errors import Conflict, DependencyUnavailable


def iso_utc(moment: datetime) -> str:
    """Step Functions' TimestampPath wants 2026-11-25T12:00:00Z, not +00:00 (moto, like the service, compares it as written)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class StepFunctionsTimers:
    """Starts and cancels executions of the dated-event state machine (infra/template.yaml,
    DatedEventStateMachine): wait until a moment, then put one message on one queue."""

    def __init__(self, client, state_machine_arn: str):
        self._sfn = client
        self.state_machine_arn = state_machine_arn

    def start(
        self,
        name: str,
        fire_at: datetime,
        queue_url: str,
        message: dict[str, Any],
        guard: dict[str, Any] | None = None,
        delivery: dict[str, Any] | None = None,
    ) -> str:
        payload: dict[str, Any] = {
            "fire_at": iso_utc(fire_at),
            "queue_url": queue_url,
            "message_body": json.dumps(message, separators=(",", ":")),
        }
        if guard:
            payload["guard"] = guard  # {"table", "key"}: the record the MarkReleased state updates
        if delivery:
            payload["delivery"] = delivery  # {"table", "key", "values"}: the RecordQueued state's write
        try:
            # Execution names are unique per state machine for 90 days: starting a running timer
            # again with the same input returns it instead of a second one; any other reuse of
            # the name is refused (Conflict).
            answer = self._sfn.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(payload)
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionAlreadyExists":
                # The name was used by a timer that already fired, or with another message.
                raise Conflict("A timer with this id exists already.", [{"field": "timer_id"}]) from error
            raise DependencyUnavailable("The timer service is unavailable.") from error
        except AWS_FAILURES as error:
            raise DependencyUnavailable("The timer service is unavailable.") from error
        return answer["executionArn"]

    def execution_arn(self, name: str) -> str:
        """arn:...:stateMachine:<machine> -> arn:...:execution:<machine>:<name>"""
        prefix, _, machine = self.state_machine_arn.rpartition(":stateMachine:")
        return f"{prefix}:execution:{machine}:{name}"

    def cancel(self, timer: str) -> None:
        """Stop a timer, named by its execution ARN or by its name (what a guarded record keeps)."""
        execution_arn = timer if timer.startswith("arn:") else self.execution_arn(timer)
        try:
            self._sfn.stop_execution(executionArn=execution_arn, cause="cancelled by the portal")
        except ClientError as error:
            # A record names its timer before the timer starts: it may never have started. Either
            # way the timer will not announce (it no longer finds itself named): nothing to stop.
            if error.response["Error"]["Code"] != "ExecutionDoesNotExist":
                raise DependencyUnavailable("The timer service is unavailable.") from error
        except AWS_FAILURES as error:
            raise DependencyUnavailable("The timer service is unavailable.") from error

    def status(self, execution_arn: str) -> str:
        try:
            return self._sfn.describe_execution(executionArn=execution_arn)["status"]
        except AWS_FAILURES as error:
            raise DependencyUnavailable("The timer service is unavailable.") from error

    def ping(self) -> None:
        self._sfn.describe_state_machine(stateMachineArn=self.state_machine_arn)
