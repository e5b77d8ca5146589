"""One moto account per test process, provisioned from the template once and emptied between tests.

Provisioning every resource of infra/template.yaml into a fresh ``mock_aws()`` costs about a second
(KMS, eight tables, three buckets, six queues, the state machine, SES), far more than most test
bodies. Instead the first integration test of a process provisions, and every test after it gets
the same resources back with their data emptied: no item in any table, no object or version in
any bucket, no message on any queue, no Step Functions execution (running ones are stopped first,
so a timer of one test never fires into the next), no email in SES's sent mail. What provisioning
made (KMS key and alias, SES identity, the resources and their settings) stays.

The mock is only switched on for the duration of a test that uses it (``start(reset=False)`` /
``stop(remove_data=False)``), as the per-test ``mock_aws()`` it replaces was: other tests of the
process, and their own ``mock_aws()`` blocks, see the same world as before.

A test that breaks a resource (deletes a queue, a table or the SES identity) or creates one, or
another ``mock_aws()`` that wipes moto (its start resets every backend), changes the account's
fingerprint: the next test then gets a freshly provisioned account, exactly as before.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import boto3
import moto  # noqa: F401  (moto must patch botocore before any client exists)
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.backend.execution import Execution as ParserExecution

from infra.local.provision import Provisioned, provision

MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}}
PARAMETERS = {"PublicBaseUrl": "https://portal.test"}
# How long a running execution may take to start (so that it can be stopped) and to stop.
_EXECUTION_STOP_SECONDS = 5.0


@dataclass
class _World:
    provisioned: Provisioned
    region: str
    fingerprint: object


class SharedAccount:
    """The process's moto account: ``enter()`` before a test, ``leave()`` after it."""

    def __init__(self) -> None:
        self._mock = mock_aws(config=MOTO_CONFIG)
        self._world: _World | None = None
        self.provisions = 0  # how many times this process provisioned (for the curious)

    def enter(self, region: str) -> Provisioned:
        self._mock.start(reset=False)
        try:
            world = self._world
            if world is None or world.region != region or _fingerprint(region) != world.fingerprint:
                world = self._fresh(region)
            return world.provisioned
        except BaseException:
            self._mock.stop(remove_data=False)
            raise

    def leave(self) -> None:
        try:
            if self._world is not None and not _empty(self._world.region):
                self._world = None  # an execution would not stop: the next test gets a fresh account
        except BaseException:
            self._world = None
            raise
        finally:
            self._mock.stop(remove_data=False)

    def _fresh(self, region: str) -> _World:
        self._world = None
        if self.provisions:
            _stop_executions(region)  # (one that would not stop is left behind with its backend)
            BackendDict.reset()  # what a new mock_aws() does on entry
        provisioned = provision(boto3.session.Session(region_name=region), parameters=PARAMETERS)
        self.provisions += 1
        self._world = _World(provisioned, region, _fingerprint(region))
        return self._world


# -- moto's backends, read and emptied in-process (API calls would cost far more and could not
#    empty an object-locked bucket) ---------------------------------------------------------------


def _backends(region: str):
    from moto.dynamodb.models import dynamodb_backends
    from moto.kms.models import kms_backends
    from moto.s3.models import s3_backends
    from moto.ses.models import ses_backends
    from moto.sqs.models import sqs_backends
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    account = DEFAULT_ACCOUNT_ID
    # (With execute_state_machine on, Step Functions is the parser backend, which runs executions.)
    return (
        dynamodb_backends[account][region],
        s3_backends[account]["aws"],
        sqs_backends[account][region],
        stepfunctions_parser_backends[account][region],
        ses_backends[account][region],
        kms_backends[account][region],
    )


def _fingerprint(region: str) -> object:
    """What provisioning made and a test might break: every resource and the settings tests change."""
    dynamodb, s3, sqs, sfn, ses, kms = _backends(region)
    return (
        sorted(
            (
                name,
                table.deletion_protection_enabled,
                repr(table.ttl),
                repr(table.stream_specification),
                len(table.global_indexes),
            )
            for name, table in dynamodb.tables.items()
        ),
        sorted(
            (name, bucket.versioning_status, bucket.object_lock_enabled, bucket.policy is not None)
            for name, bucket in s3.buckets.items()
        ),
        sorted(
            (
                name,
                repr(
                    sorted(
                        (attribute, value)
                        for attribute, value in queue.attributes.items()
                        if not attribute.startswith("Approximate")
                    )
                ),
            )
            for name, queue in sqs.queues.items()
        ),
        sorted(machine.arn for machine in sfn.state_machines),
        sorted(ses.email_identities),
        sorted((key_id, key.key_state, sorted(key.aliases)) for key_id, key in kms.keys.items()),
    )


def _stop_executions(region: str) -> bool:
    """Stop every running Step Functions execution (a Wait state ends at once) and forget them all,
    so no timer of one test fires into another and execution names can be used again. False if
    one would not stop (moto's thread for it never began): its account must not be used again."""
    _, _, _, sfn, _, _ = _backends(region)
    stopped = True
    for machine in sfn.state_machines:
        for execution in list(machine.executions):
            stopped = _stop(execution) and stopped
        machine.executions.clear()
    return stopped


def stop_running(region: str) -> bool:
    """Stop every running execution, and keep them (for a test's own teardown: the reset after it
    still forgets them, and still finds one that would not stop)."""
    _, _, _, sfn, _, _ = _backends(region)
    return all([_stop(execution) for machine in sfn.state_machines for execution in list(machine.executions)])


def _stop(execution) -> bool:
    """Stop it and wait until it no longer runs: once it is ABORTED (or ended on its own),
    whatever it did (a message sent) is done."""
    if getattr(execution, "exec_worker", None) is None:
        return True
    try:
        execution.stop(stop_date=datetime.now(timezone.utc), error=None, cause=None)
    except AttributeError:  # its thread never began ('NoneType' object has no attribute 'set_stop')
        return False
    return execution.exec_status != ExecutionStatus.RUNNING


def _stop_as_in_aws(stop):
    """moto's StopExecution, made to behave as AWS's: it works right after StartExecution, and
    once it has answered, the execution no longer runs (ABORTED).

    moto starts an execution's thread a moment after StartExecution returns, and a StopExecution
    before the thread has begun its first state either fails inside moto ('NoneType' object has no
    attribute 'set_stop', a 500) or is ignored, leaving the execution running; and the thread
    records the stop a moment after StopExecution returns. Under parallel tests on a busy machine
    those moments grow. Wait for them (never long)."""

    @functools.wraps(stop)
    def patched(self, stop_date, error, cause):
        deadline = time.monotonic() + _EXECUTION_STOP_SECONDS
        while self.exec_status == ExecutionStatus.RUNNING and time.monotonic() < deadline:
            env = getattr(self.exec_worker, "env", None)
            if env is not None and env.is_running():
                break
            time.sleep(0.002)
        result = stop(self, stop_date, error, cause)
        while self.exec_status == ExecutionStatus.RUNNING and time.monotonic() < deadline:
            time.sleep(0.002)
        return result

    return patched


ParserExecution.stop = _stop_as_in_aws(ParserExecution.stop)


def _empty(region: str) -> bool:
    """Empty the account's data; False if an execution would not stop (see _stop_executions)."""
    stopped = _stop_executions(region)
    dynamodb, s3, sqs, _, ses, _ = _backends(region)
    for table in dynamodb.tables.values():
        table.items.clear()
        if table.stream_shard is not None:
            table.stream_shard.items = []
    for bucket in s3.buckets.values():
        _empty_bucket(bucket)
    for queue in sqs.queues.values():
        with queue._messages_lock:
            queue._messages = []
        queue._pending_messages = set()
        queue.deleted_messages = set()
        queue.last_purged_at = None
    ses.sent_messages.clear()
    ses.sent_message_count = 0
    ses.rejected_messages_count = 0
    return stopped


def _empty_bucket(bucket) -> None:
    from moto.s3.models import FakeKey, MultipartDict
    from moto.s3.utils import _VersionedKeyStore

    for _, versions in bucket.keys.iterlists():
        for key in versions:
            if isinstance(key, FakeKey):
                key.dispose()
    for multipart in bucket.multiparts.values():
        multipart.dispose()
    bucket.keys = _VersionedKeyStore()
    bucket.multiparts = MultipartDict()
