"""The deployable template: security on by default, least privilege, and a clean cfn-lint on
what `make package` produces (chalice's SAM template merged with infra/template.yaml)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from infra.local.template import load_template

# With several xdist workers, one worker runs this module and test_package_trim.py: the package is
# built once (tests/integration/conftest.py), and two `chalice package` never write chalice's
# deployment cache at the same time.
pytestmark = pytest.mark.xdist_group("chalice-package")

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]


def of_type(kind: str) -> dict:
    return {logical_id: r for logical_id, r in RESOURCES.items() if r["Type"] == kind}


def statements(policy_id: str) -> list[dict]:
    return RESOURCES[policy_id]["Properties"]["PolicyDocument"]["Statement"]


def refers_to(value, logical_id: str) -> bool:
    return logical_id in repr(value)


def test_tables_are_recoverable_and_encrypted_with_the_portal_key():
    for logical_id, table in of_type("AWS::DynamoDB::Table").items():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", logical_id
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, logical_id
        assert props["SSESpecification"]["SSEType"] == "KMS", logical_id
        assert refers_to(props["SSESpecification"]["KMSMasterKeyId"], "PortalKey"), logical_id


def test_tables_and_buckets_holding_phi_outlive_the_stack():
    for logical_id in (
        "AuditEventsTable",
        "AccountsTable",
        "FeedMessagesTable",
        "DocumentsBucket",
        "SignedDocumentsBucket",
        "FeedArchiveBucket",
        "AttachmentsBucket",
        "PortalKey",
        "RecordIdKey",
    ):
        assert RESOURCES[logical_id].get("DeletionPolicy") == "Retain", logical_id


# What a second copy must never hold: the accounts' password hashes, authenticator seeds (current
# and being set up), recovery-code hashes and session list, and the identity records' token and
# code hashes. An index's copy is one more place for them to be read from (and an ALL projection
# copies every attribute added later too), so an index of these tables projects keys, or names
# what it carries.
SECRET_ATTRIBUTES = {
    "AccountsTable": {"password_hash", "totp_secret", "totp_pending_secret", "recovery_code_hashes", "sessions"},
    "IdentityTable": {"secret_hash", "code_hash"},
}
# Indexes deployed with ALL before this rule: DynamoDB cannot change a deployed index's
# projection, and replacing one (under a new name, in two deploys) is a migration of its own, with
# sign-in reading by-username throughout. This list may only shrink; nothing may join it.
DEPLOYED_WITH_ALL = {("AccountsTable", "by-username")}


def test_no_index_of_the_accounts_or_identity_tables_copies_a_secret():
    allowed_all = set()
    for logical_id, secrets in SECRET_ATTRIBUTES.items():
        props = RESOURCES[logical_id]["Properties"]
        for index in props.get("GlobalSecondaryIndexes", []) + props.get("LocalSecondaryIndexes", []):
            projection = index["Projection"]
            where = (logical_id, index["IndexName"])
            if projection["ProjectionType"] == "ALL":
                assert where in DEPLOYED_WITH_ALL, where
                allowed_all.add(where)
            else:
                assert projection["ProjectionType"] in ("KEYS_ONLY", "INCLUDE"), where
                assert not secrets & set(projection.get("NonKeyAttributes", [])), where
            assert not secrets & {key["AttributeName"] for key in index["KeySchema"]}, where
    # (an index moved off ALL leaves the list with it, so it cannot go back unnoticed)
    assert allowed_all == DEPLOYED_WITH_ALL
    # the staff list's index, new with the list, holds its keys only
    staff_index = next(
        i
        for i in RESOURCES["AccountsTable"]["Properties"]["GlobalSecondaryIndexes"]
        if i["IndexName"] == "by-organization"
    )
    assert staff_index["Projection"] == {"ProjectionType": "KEYS_ONLY"}


def test_the_models_indexes_agree_with_the_template():
    from chalicelib.data import models

    tables = {
        models.AuditEventModel: "AuditEventsTable",
        models.AccountModel: "AccountsTable",
        models.IdentityRecordModel: "IdentityTable",
        models.RecordModel: "RecordsTable",
        models.InboxItemModel: "RecordsTable",
        models.FeedMessageModel: "FeedMessagesTable",
    }
    for model, logical_id in tables.items():
        props = RESOURCES[logical_id]["Properties"]
        declared = {
            i["IndexName"]: i["Projection"]
            for i in props.get("GlobalSecondaryIndexes", []) + props.get("LocalSecondaryIndexes", [])
        }
        for name, index in model._indexes.items():
            projection = index.Meta.projection
            expected = {"ProjectionType": projection.projection_type}
            if projection.non_key_attributes:
                expected["NonKeyAttributes"] = list(projection.non_key_attributes)
            assert declared.get(name) == expected, (model.__name__, name)


# The built web app, the same files every visitor downloads: CloudFront reads it, and the portal
# key (which guards health data) is not opened to CloudFront for it.
BUCKETS_WITHOUT_HEALTH_DATA = {"WebBucket"}
# Copies made again on demand and deleted a week on: an old version would outlive the deletion.
UNVERSIONED_BUCKETS = {"ExportsBucket"}


def test_buckets_are_private_versioned_encrypted_and_tls_only():
    policies = {
        r["Properties"]["Bucket"]["Ref"]: r["Properties"]["PolicyDocument"]
        for r in of_type("AWS::S3::BucketPolicy").values()
    }
    for logical_id, bucket in of_type("AWS::S3::Bucket").items():
        props = bucket["Properties"]
        versioning = "Suspended" if logical_id in UNVERSIONED_BUCKETS else "Enabled"
        assert props["VersioningConfiguration"] == {"Status": versioning}, logical_id
        assert all(props["PublicAccessBlockConfiguration"].values()), logical_id
        default = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
        if logical_id in BUCKETS_WITHOUT_HEALTH_DATA:
            assert default == {"SSEAlgorithm": "AES256"}, logical_id
        else:
            assert default["SSEAlgorithm"] == "aws:kms" and refers_to(default["KMSMasterKeyID"], "PortalKey"), (
                logical_id
            )
        deny = [s for s in policies[logical_id]["Statement"] if s["Effect"] == "Deny"]
        assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}, logical_id
    signed = RESOURCES["SignedDocumentsBucket"]["Properties"]
    assert signed["ObjectLockEnabled"] is True
    mode = signed["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Mode"]
    assert mode == {"Ref": "SignedDocumentRetentionMode"}
    assert load_template()["Parameters"]["SignedDocumentRetentionMode"]["AllowedValues"] == ["GOVERNANCE", "COMPLIANCE"]


def test_queues_are_encrypted_tls_only_and_live_ones_have_a_dead_letter_queue():
    queue_ids = set(of_type("AWS::SQS::Queue"))
    protected = set()
    for policy in of_type("AWS::SQS::QueuePolicy").values():
        assert policy["Properties"]["PolicyDocument"]["Statement"][0]["Condition"] == {
            "Bool": {"aws:SecureTransport": "false"}
        }
        protected |= {queue["Ref"] for queue in policy["Properties"]["Queues"]}
    assert protected == queue_ids
    for logical_id in queue_ids:
        props = RESOURCES[logical_id]["Properties"]
        assert refers_to(props["KmsMasterKeyId"], "PortalKey"), logical_id
        if "-dlq" not in props["QueueName"]:
            assert props["RedrivePolicy"]["maxReceiveCount"] >= 1, logical_id
            # Lambda advises a visibility timeout of at least six times the function timeout
            # (the outbound and acknowledgement queues are read by upstream systems instead).
            read_outside = "outbound" in props["QueueName"] or "acks" in props["QueueName"]
            assert props["VisibilityTimeout"] >= 6 * 30 or read_outside, logical_id


def test_the_inbound_outbound_and_acknowledgement_clinical_queues_are_fifo():
    for logical_id in ("ClinicalInboundQueue", "ClinicalOutboundQueue", "ClinicalAckQueue"):
        assert RESOURCES[logical_id]["Properties"]["FifoQueue"] is True


def test_the_feed_consumer_may_send_acknowledgements_and_do_nothing_else_there():
    on_acks = [s for s in statements("FeedIntakePolicy") if "ClinicalAck" in repr(s["Resource"])]
    assert [(s["Action"], s["Resource"]) for s in on_acks] == [
        ("sqs:SendMessage", {"Fn::GetAtt": ["ClinicalAckQueue", "Arn"]})
    ]
    # No other function reaches the acknowledgement queue: it is the senders' to read. (The API's
    # deep health check asks only whether it is there.)
    for policy_id in ("NotificationsPolicy",):
        assert "ClinicalAck" not in repr(statements(policy_id)), policy_id
    api_on_acks = [s for s in statements("ApiAccessPolicy") if "ClinicalAck" in repr(s["Resource"])]
    assert [s["Action"] for s in api_on_acks] == ["sqs:GetQueueAttributes"]
    queue = RESOURCES["ClinicalAckQueue"]["Properties"]
    assert refers_to(queue["KmsMasterKeyId"], "PortalKey")
    assert refers_to(queue["RedrivePolicy"]["deadLetterTargetArn"], "ClinicalAckDeadLetterQueue")
    alarms = of_type("AWS::CloudWatch::Alarm").values()
    assert any("ClinicalAckDeadLetterQueue" in repr(a["Properties"]["Dimensions"]) for a in alarms)
    assert {"ClinicalAckQueueUrl", "ClinicalAckQueueArn"} <= set(TEMPLATE["Outputs"])


def test_the_audit_trail_is_append_only_for_the_api():
    audit = [s for s in statements("ApiAccessPolicy") if refers_to(s["Resource"], "AuditEventsTable")]
    actions = {a for s in audit for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert "dynamodb:PutItem" in actions
    assert not actions & {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:*"}


def test_policies_name_their_resources_and_grant_no_wildcard_actions():
    for policy_id in ("ApiAccessPolicy", "FeedIntakePolicy", "NotificationsPolicy"):
        for statement in statements(policy_id):
            actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
            assert not any(a.endswith(":*") or a == "*" for a in actions), (policy_id, statement["Sid"])
            if statement["Resource"] == "*":
                assert actions == ["ses:GetIdentityVerificationAttributes"], statement["Sid"]


def test_each_function_reaches_only_what_it_uses():
    feed = repr(statements("FeedIntakePolicy"))
    assert "ClinicalInboundQueue" in feed and "FeedArchiveBucket" in feed and "FeedMessagesTable" in feed
    assert "ses:" not in feed
    # Filing reads an account only to make its pending connection active, and writes nothing of
    # an account but its connections (the version goes with them).
    feed_accounts = [s for s in statements("FeedIntakePolicy") if refers_to(s["Resource"], "AccountsTable")]
    assert sorted(s["Action"] for s in feed_accounts) == ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    [update] = [s for s in feed_accounts if s["Action"] == "dynamodb:UpdateItem"]
    assert update["Condition"] == {
        "ForAllValues:StringEquals": {"dynamodb:Attributes": ["account_id", "connections", "version"]}
    }
    assert all("Condition" in s for s in feed_accounts if s["Action"] != "dynamodb:GetItem")
    # It ends a deceased patient's sessions: it reads and deletes session records and nothing else
    # there; and it writes the delivery records of the notices it queues, nothing else.
    feed_identity = [s for s in statements("FeedIntakePolicy") if refers_to(s["Resource"], "IdentityTable")]
    assert sorted(repr(s["Action"]) for s in feed_identity) == [
        "'dynamodb:BatchGetItem'",
        "'dynamodb:DeleteItem'",
        "'dynamodb:Query'",
        "'dynamodb:UpdateItem'",
    ]
    for action in ("dynamodb:DeleteItem", "dynamodb:BatchGetItem"):
        [sessions] = [s for s in feed_identity if s["Action"] == action]
        assert sessions["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["session#*"]}}
    for policy in ("FeedIntakePolicy", "NotificationsPolicy", "DrainOutboxPolicy"):
        [records] = [s for s in statements(policy) if s.get("Sid") == "DeliveryRecords"]
        assert records["Action"] == "dynamodb:UpdateItem"
        assert records["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["delivery#*"]}}
    feed_audit = [s for s in statements("FeedIntakePolicy") if refers_to(s["Resource"], "AuditEventsTable")]
    assert [s["Action"] for s in feed_audit] == ["dynamodb:PutItem"]  # it writes the trail, never reads it
    notifications = repr(statements("NotificationsPolicy"))
    assert "ses:SendEmail" in notifications and "IdempotencyTable" in notifications
    assert "FeedArchiveBucket" not in notifications
    # It reads an account (where and whether to email) and writes only inbox items of the records table.
    accounts = [s for s in statements("NotificationsPolicy") if refers_to(s["Resource"], "AccountsTable")]
    assert [s["Action"] for s in accounts] == ["dynamodb:GetItem"]
    [inbox] = [s for s in statements("NotificationsPolicy") if refers_to(s["Resource"], "RecordsTable")]
    assert inbox["Action"] == "dynamodb:PutItem"
    assert inbox["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["inbox#*"]}}
    # The API reads a staff page's accounts, the patients born on a searched day, a patient's
    # invitations' delivery records, and the messaging counts of a patient's records or a
    # caller's teams with one BatchGetItem each (moto grants whatever it is asked, so only this
    # says it is allowed): on those tables (the records table's messaging partitions only) and
    # nowhere else.
    # The API writes support requests into the records table under their own partitions only,
    # and keeps the Idempotency-Key's answers in the idempotency table.
    [support] = [s for s in statements("ApiAccessPolicy") if s.get("Sid") == "SupportRequests"]
    assert support["Action"] == "dynamodb:PutItem"
    assert support["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["support#*"]}}
    [requests] = [s for s in statements("ApiAccessPolicy") if s.get("Sid") == "AppointmentRequests"]
    assert requests["Action"] == "dynamodb:PutItem"
    assert requests["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["appointment-requests#*", "appointment-queue#*"]}
    }
    [kept] = [s for s in statements("ApiAccessPolicy") if s.get("Sid") == "IdempotencyKeys"]
    assert refers_to(kept["Resource"], "IdempotencyTable") and "dynamodb:Scan" not in kept["Action"]
    batch_gets = [s for s in statements("ApiAccessPolicy") if "dynamodb:BatchGetItem" in repr(s["Action"])]
    assert [s["Resource"] for s in batch_gets] == [
        {"Fn::GetAtt": ["AccountsTable", "Arn"]},
        {"Fn::GetAtt": ["PatientsTable", "Arn"]},
        {"Fn::GetAtt": ["IdentityTable", "Arn"]},
        {"Fn::GetAtt": ["RecordsTable", "Arn"]},
        {"Fn::GetAtt": ["RecordsTable", "Arn"]},
    ]
    assert batch_gets[-2]["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["checkin#*"]}}
    assert batch_gets[-1]["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["messages#*"]}}
    # A check-in and the worklist item of a change of details, never a health record.
    [check_ins] = [s for s in statements("ApiAccessPolicy") if s.get("Sid") == "CheckIns"]
    assert check_ins["Action"] == "dynamodb:PutItem"
    assert check_ins["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["checkin#*", "worklist#*"]}}
    # Proxy grants: the patient's copy and the proxy's pointer, never a health record; never
    # deleted (an ended grant is history).
    [grants] = [s for s in statements("ApiAccessPolicy") if s.get("Sid") == "ProxyGrants"]
    assert grants["Action"] == "dynamodb:PutItem"
    assert grants["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["proxy-grants#*", "proxy-of#*"]}
    }
    # Proxy access requests: the requester's copy and the organization's queue copy, never deleted.
    [asked] = [s for s in statements("ApiAccessPolicy") if s.get("Sid") == "ProxyRequests"]
    assert asked["Action"] == "dynamodb:PutItem"
    assert asked["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["proxy-requests#*", "proxy-queue#*"]}
    }
    api_deletes = [s for s in statements("ApiAccessPolicy") if "dynamodb:DeleteItem" in _actions(s)]
    assert all("proxy-" not in repr(s.get("Condition")) for s in api_deletes)


def test_the_feed_intake_may_read_a_page_of_records_at_once_as_a_merge_does():
    """A merge (ADT A40) asks which of the merged record's items the survivor holds in one
    BatchGetItem (data/records.py copy_records). moto grants whatever it is asked, so without this
    a merge would pass every local test and fail in AWS, its message retried into the dead letters."""
    granted = [s for s in statements("FeedIntakePolicy") if "dynamodb:BatchGetItem" in repr(s["Action"])]
    assert any("RecordsTable" in repr(s["Resource"]) for s in granted)


def test_every_sqs_event_source_reports_partial_batch_failures():
    import app as app_module

    sqs_handlers = [s for s in app_module.app.event_sources if type(s).__name__ == "SQSEventConfig"]
    assert sqs_handlers
    for source in sqs_handlers:
        function_id = "".join(part.capitalize() for part in source.name.split("_"))
        events = RESOURCES[function_id]["Properties"]["Events"]
        assert events[f"{function_id}SqsEventSource"]["Properties"]["FunctionResponseTypes"] == [
            "ReportBatchItemFailures"
        ]


# `packaged`: the package `make package` builds, shared with test_package_trim.py (tests/integration/conftest.py).


def test_the_packaged_template_passes_cfn_lint(packaged):
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent))
    result = subprocess.run([cfn_lint, str(packaged / "sam.yaml")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_packaged_functions_get_the_environment_and_their_policies(packaged):
    with open(packaged / "sam.yaml") as handle:
        template = yaml.load(handle, Loader=_cfn_loader())
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert set(variables) == set(TEMPLATE["Globals"]["Function"]["Environment"]["Variables"])
    functions = {k for k, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    assert functions == {
        "APIHandler",
        "DrainOutbox",
        "OnAppointmentReminder",
        "OnClinicalFeedMessage",
        "OnNotificationRequest",
        "OnProxyGrantTimer",
        "OnRecordExport",
        "SignInHandler",
    }
    schedule = template["Resources"]["DrainOutbox"]["Properties"]["Events"]["DrainOutboxEvent"]
    assert schedule == {"Type": "Schedule", "Properties": {"Schedule": "rate(5 minutes)"}}
    for function_id in functions:
        assert template["Resources"][function_id]["Properties"]["Handler"].startswith("app.")
    assert template["Resources"]["RestAPI"]["Properties"]["StageName"] == "api"
    assert (packaged / "deployment.zip").stat().st_size > 1_000_000  # code and vendored wheels


def _cfn_loader():
    from infra.local.template import _CfnLoader

    return _CfnLoader


def test_each_packaged_function_writes_only_to_its_own_log_group(packaged):
    with open(packaged / "sam.yaml") as handle:
        template = yaml.load(handle, Loader=_cfn_loader())
    resources = template["Resources"]
    for function_id, role_id in (
        ("APIHandler", "ApiHandlerRole"),
        ("OnClinicalFeedMessage", "OnClinicalFeedMessageRole"),
        ("OnNotificationRequest", "OnNotificationRequestRole"),
        ("DrainOutbox", "DrainOutboxRole"),
        ("OnRecordExport", "OnRecordExportRole"),
    ):
        group = resources[function_id]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        [policy] = resources[role_id]["Properties"]["Policies"]
        logs = next(s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] == "WriteOwnLogs")
        assert logs["Resource"] == {"Fn::GetAtt": [group, "Arn"]}, function_id
        assert resources[group]["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["PortalKey", "Arn"]}


def test_only_filing_may_derive_record_ids_and_the_key_outlives_the_stack():
    key = RESOURCES["RecordIdKey"]
    assert (key["DeletionPolicy"], key["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert key["Properties"]["KeySpec"] == "HMAC_256" and "EnableKeyRotation" not in key["Properties"]
    granted = {
        policy_id: [s["Action"] for s in statements(policy_id) if refers_to(s["Resource"], "RecordIdKey")]
        for policy_id in of_type("AWS::IAM::Policy")
    }
    # (The API's deep health check may ask whether the key is enabled: DescribeKey uses nothing of it.)
    assert {policy_id: actions for policy_id, actions in granted.items() if actions} == {
        "FeedIntakePolicy": ["kms:GenerateMac"],
        "ApiAccessPolicy": ["kms:DescribeKey"],
    }


def test_timer_history_is_encrypted_with_the_portal_key():
    encryption = RESOURCES["DatedEventStateMachine"]["Properties"]["EncryptionConfiguration"]
    assert encryption["Type"] == "CUSTOMER_MANAGED_KMS_KEY" and refers_to(encryption["KmsKeyId"], "PortalKey")


def test_service_principals_in_the_key_policy_are_bound_to_this_account():
    for statement in RESOURCES["PortalKey"]["Properties"]["KeyPolicy"]["Statement"]:
        if "Service" in statement["Principal"]:
            assert "Condition" in statement, statement["Sid"]


def test_a_signed_in_request_invokes_one_function_no_gateway_authorizer(packaged):
    # The API function checks the session itself (chalicelib/http/envelope.py), on every request
    # and never cached: an authorizer would be a second invocation, and a second cold start, per
    # request. No authorizer function, role, policy or log group is left behind.
    with open(packaged / "sam.yaml") as handle:
        template = yaml.load(handle, Loader=_cfn_loader())
    resources = template["Resources"]
    assert not [logical_id for logical_id in resources if "Authorizer" in logical_id]
    assert not [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Authorizer"]
    body = resources["RestAPI"]["Properties"]["DefinitionBody"]
    assert not body.get("securityDefinitions")
    operations = [(path, method, op) for path, item in body["paths"].items() for method, op in item.items()]
    assert len(operations) > 20
    assert [(path, method) for path, method, op in operations if op.get("security")] == []


def test_every_path_passes_cors_preflights_to_the_app_without_an_authorizer(packaged):
    # A browser's preflight carries no Authorization header: the gateway must hand it to the app
    # (chalicelib/http/cors.py answers it) instead of refusing it as unauthenticated.
    with open(packaged / "sam.yaml") as handle:
        template = yaml.load(handle, Loader=_cfn_loader())
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    for path, item in body["paths"].items():
        preflight = item.get("options")
        assert preflight is not None, path
        assert not preflight.get("security"), path
        assert preflight["x-amazon-apigateway-integration"]["type"] == "aws_proxy", path


def test_every_answer_the_gateway_gives_itself_carries_the_apps_security_headers():
    """One source of truth: the headers the envelope sets on the app's answers, each as a static
    gateway response value (inside one pair of single quotes, the quotes within left as they are)."""
    from chalicelib.http.envelope import SECURITY_HEADERS

    responses = RESOURCES["RestAPI"]["Properties"]["GatewayResponses"]
    # the fallbacks of every type not declared (THROTTLED's 429, REQUEST_TOO_LARGE, INTEGRATION_TIMEOUT ...)
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    expected = {name: f"'{value}'" for name, value in SECURITY_HEADERS.items()}
    for kind, response in responses.items():
        headers = response["ResponseParameters"]["Headers"]
        # a declared type replaces its default whole, so each must carry them all itself
        assert {name: headers.get(name) for name in expected} == expected, kind
        body = json.loads(
            response["ResponseTemplates"]["application/json"].replace("$context.error.messageString", '""')
        )
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, kind
    csp = responses["DEFAULT_4XX"]["ResponseParameters"]["Headers"]["Content-Security-Policy"]
    assert csp == "'default-src 'none'; frame-ancestors 'none''"


def test_the_packaged_api_keeps_the_gateway_responses(packaged):
    with open(packaged / "sam.yaml") as handle:
        template = yaml.load(handle, Loader=_cfn_loader())
    packaged_responses = template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    assert packaged_responses == RESOURCES["RestAPI"]["Properties"]["GatewayResponses"]


def test_the_gateway_answers_no_session_itself_and_a_fixed_404_for_an_unknown_route():
    responses = RESOURCES["RestAPI"]["Properties"]["GatewayResponses"]
    # no authorizer and no resource policy: the gateway never denies a session (the function does)
    assert not {"UNAUTHORIZED", "ACCESS_DENIED"} & set(responses)
    # an unknown route: a fixed answer (API Gateway's message may quote the Authorization header)
    unknown = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert unknown["StatusCode"] == "404" and "$context" not in unknown["ResponseTemplates"]["application/json"]


def test_the_api_function_may_do_what_its_session_check_does():
    """A conditional UpdateItem of the session, a GetItem to say why one was refused, an appended
    audit event, and the portal key the tables are encrypted with."""

    def granted(logical_id: str) -> set[str]:
        actions: set[str] = set()
        for statement in statements("ApiAccessPolicy"):
            if statement["Resource"] == {"Fn::GetAtt": [logical_id, "Arn"]} or (
                isinstance(statement["Resource"], list) and {"Fn::GetAtt": [logical_id, "Arn"]} in statement["Resource"]
            ):
                actions |= {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])
        return actions

    assert {"dynamodb:UpdateItem", "dynamodb:GetItem"} <= granted("IdentityTable")
    assert "dynamodb:PutItem" in granted("AuditEventsTable")
    assert {"kms:Decrypt", "kms:GenerateDataKey"} <= granted("PortalKey")


def test_emailed_codes_are_keyed_with_an_hmac_key_only_the_api_may_use():
    key = RESOURCES["CodeKey"]["Properties"]
    assert (key["KeySpec"], key["KeyUsage"]) == ("HMAC_256", "GENERATE_VERIFY_MAC")
    assert refers_to(TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["PORTAL_CODE_KEY_ID"], "CodeKey")
    api = [s for s in statements("ApiAccessPolicy") if refers_to(s["Resource"], "CodeKey")]
    assert sorted(s["Action"] for s in api) == ["kms:DescribeKey", "kms:GenerateMac"]  # DescribeKey: the deep check
    for policy_id in ("FeedIntakePolicy", "NotificationsPolicy"):
        assert "CodeKey" not in repr(statements(policy_id)), policy_id


def test_release_timers_that_could_not_start_raise_an_alarm_and_a_schedule_drains_them():
    """ExecutionsFailed counts only timers that ran: one Step Functions refused to start is
    counted by the portal (ReleaseTimersNotStarted), and the drain every five minutes starts it."""
    [alarm] = [
        a["Properties"]
        for a in of_type("AWS::CloudWatch::Alarm").values()
        if a["Properties"]["MetricName"] == "ReleaseTimersNotStarted"
    ]
    assert (alarm["Namespace"], alarm["Statistic"], alarm["Threshold"]) == ("PatientPortal", "Sum", 0)
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert refers_to(alarm["AlarmActions"][0], "AlarmTopic")
    import app as app_module

    [schedule] = [e for e in app_module.app.event_sources if e.name == "drain_outbox"]
    assert schedule.schedule_expression.to_string() == "rate(5 minutes)"
    drain = repr(statements("DrainOutboxPolicy"))
    assert "states:StartExecution" in drain and "NotificationsQueue" in drain and "ses:" not in drain
    assert "ClinicalOutboundQueue" in drain  # the outbound events SQS refused are sent by the drain too
    # Only the outbox's and the outbound events' partitions may be emptied: no function deletes a
    # record. (A merge moves the merged patient's proxy grants to the survivor: the feed intake
    # takes them from the merged patient's grant partition, and only there.)
    for policy_id in ("DrainOutboxPolicy", "ApiAccessPolicy", "FeedIntakePolicy", "ProxyGrantTimersPolicy"):
        for statement in statements(policy_id):
            actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
            if "dynamodb:DeleteItem" in actions and refers_to(statement["Resource"], "RecordsTable"):
                if (policy_id, statement["Sid"]) == ("FeedIntakePolicy", "MoveProxyGrants"):
                    keys = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
                    assert keys == ["proxy-grants#*"]
                    continue
                if (policy_id, statement["Sid"]) == ("ApiAccessPolicy", "RecordExports"):
                    # the "building" marker of a download whose queue refused it (apps/export)
                    keys = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
                    assert keys == ["exports#*"]
                    continue
                keys = statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
                assert set(keys) <= {"outbox", "outbound"}, (policy_id, statement["Sid"])


def test_notifications_and_feed_bodies_are_marked_dead_lettered_on_the_last_try_their_queue_allows():
    from chalicelib.feeds.quarantine import INBOUND_MAX_RECEIVES
    from chalicelib.notifications.deliveries import NOTIFICATIONS_MAX_RECEIVES

    resources = load_template()["Resources"]
    notifications = resources["NotificationsQueue"]["Properties"]
    assert notifications["RedrivePolicy"]["maxReceiveCount"] == NOTIFICATIONS_MAX_RECEIVES
    inbound = resources["ClinicalInboundQueue"]["Properties"]
    assert inbound["RedrivePolicy"]["maxReceiveCount"] == INBOUND_MAX_RECEIVES


def test_message_attachments_are_uploaded_from_the_portal_only_and_unchecked_uploads_expire():
    props = RESOURCES["AttachmentsBucket"]["Properties"]
    [health_link_files, cors] = props["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedMethods"] == ["POST"]  # the presigned form: no GET or PUT from a browser
    # a SMART Health Link's file (ciphertext) is fetched by any viewer, with a one-minute link
    assert (health_link_files["AllowedMethods"], health_link_files["AllowedOrigins"]) == (["GET"], ["*"])
    assert "PublicBaseUrl" in repr(cors["AllowedOrigins"]) and "CorsAllowedOrigins" in repr(cors["AllowedOrigins"])
    uploads, unsent, health_links = props["LifecycleConfiguration"]["Rules"]
    assert (health_links["Prefix"], health_links["ExpirationInDays"]) == ("health-links/", 92)
    assert (uploads["Prefix"], uploads["ExpirationInDays"], uploads["Status"]) == ("uploads/", 1, "Enabled")
    # a checked file never sent goes after a week; the API sends none older than that
    from chalicelib.messaging.domain import UNSENT_DAYS

    assert (unsent["Prefix"], unsent["TagFilters"], unsent["ExpirationInDays"]) == (
        "attachments/",
        [{"Key": "unsent", "Value": "true"}],
        UNSENT_DAYS,
    )
    # Only the API reaches the bucket; it deletes uploads only (a checked attachment is kept).
    assert "AttachmentsBucket" in repr(statements("ApiAccessPolicy"))
    for policy in ("FeedIntakePolicy", "NotificationsPolicy", "DrainOutboxPolicy"):
        assert "AttachmentsBucket" not in repr(statements(policy)), policy
    deletes = [s for s in statements("ApiAccessPolicy") if "s3:DeleteObject" in repr(s["Action"])]
    assert [s["Resource"] for s in deletes] == [
        {"Fn::Sub": "${AttachmentsBucket.Arn}/uploads/*"},
        {"Fn::Sub": "${AttachmentsBucket.Arn}/health-links/*"},  # a revoked link's file
    ]


def test_the_api_locks_signed_forms_and_may_never_delete_one_or_bypass_its_lock():
    api = statements("ApiAccessPolicy")
    [signed] = [s for s in api if s["Sid"] == "SignedForms"]
    assert sorted(signed["Action"]) == ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectRetention"]
    assert refers_to(signed["Resource"], "SignedDocumentsBucket") and "/signed-forms/*" in repr(signed["Resource"])
    for statement in api:
        if refers_to(statement["Resource"], "SignedDocumentsBucket") and statement["Effect"] == "Allow":
            actions = repr(statement["Action"])
            assert "Delete" not in actions and "Bypass" not in actions and "s3:*" not in actions, statement["Sid"]
    env = load_template()["Globals"]["Function"]["Environment"]["Variables"]
    assert env["PORTAL_SIGNED_FORM_LOCK_DAYS"] == {"Ref": "SignedDocumentRetentionDays"}
    assert env["PORTAL_SIGNED_FORM_LOCK_MODE"] == {"Ref": "SignedDocumentRetentionMode"}


def _actions(statement: dict) -> list[str]:
    return [statement["Action"]] if isinstance(statement["Action"], str) else list(statement["Action"])


def _api_role_statements() -> list[dict]:
    """Every statement the API's role is granted: its own inline policies and each policy naming it."""
    found = [
        s
        for p in RESOURCES["ApiHandlerRole"]["Properties"].get("Policies", [])
        for s in p["PolicyDocument"]["Statement"]
    ]
    for resource in of_type("AWS::IAM::Policy").values():
        if {"Ref": "ApiHandlerRole"} in resource["Properties"].get("Roles", []):
            found += resource["Properties"]["PolicyDocument"]["Statement"]
    return found


def test_the_api_role_may_never_delete_unlock_or_hold_a_signed_form():
    """moto's tests of the lock run as its admin: only the template says what the API itself may
    do to the signed-documents bucket. Exactly what signing and a download need (put with a lock
    date, read a version), on signed-forms/ only, and the bucket's existence for the health check:
    no delete of any kind, no legal hold, no governance bypass, no change to the bucket's lock,
    versioning, lifecycle or policy, and no wildcard that could grant one of them."""
    import fnmatch

    allowed = {"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectRetention"}
    for statement in _api_role_statements():
        assert "NotAction" not in statement and "NotResource" not in statement, statement.get("Sid")
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in _actions(statement):
            for forbidden in (
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
                "s3:BypassGovernanceRetention",
                "s3:PutObjectLegalHold",
                "s3:PutBucketObjectLockConfiguration",
                "s3:PutBucketVersioning",
                "s3:PutLifecycleConfiguration",
                "s3:PutBucketPolicy",
                "s3:DeleteBucket",
            ):
                if fnmatch.fnmatchcase(forbidden.lower(), action.lower()):
                    assert not any(
                        refers_to(r, "SignedDocumentsBucket") or r == "*" or "arn:aws:s3" in repr(r) for r in resources
                    ), (statement.get("Sid"), action)
        for resource in resources:
            if not refers_to(resource, "SignedDocumentsBucket"):
                continue
            if resource == {"Fn::GetAtt": ["SignedDocumentsBucket", "Arn"]}:
                assert _actions(statement) == ["s3:ListBucket"], statement.get("Sid")
            else:
                assert resource == {"Fn::Sub": "${SignedDocumentsBucket.Arn}/signed-forms/*"}, statement.get("Sid")
                assert set(_actions(statement)) <= allowed, statement.get("Sid")
    # No other function reaches the bucket at all.
    for logical_id, policy in of_type("AWS::IAM::Policy").items():
        if {"Ref": "ApiHandlerRole"} not in policy["Properties"].get("Roles", []):
            assert "SignedDocumentsBucket" not in repr(policy["Properties"]["PolicyDocument"]), logical_id


def test_no_api_key_condition_reaches_a_patients_own_partition():
    """A patient's chart is the partition named by their bare id (uuid4 hex, 32 characters), and
    only the feed writes it. Every partition the API is let into by a LeadingKeys condition has a
    prefix of its own, so no pattern may match a bare id; and no write to the records table is
    granted without such a condition but the staff's UpdateItem of a hold or release."""
    import fnmatch
    import uuid

    patient_ids = [uuid.uuid4().hex for _ in range(20)] + ["0" * 32, "f" * 32]
    writes = {"dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    for statement in _api_role_statements():
        for operator, keys in statement.get("Condition", {}).items():
            patterns = keys.get("dynamodb:LeadingKeys", [])
            for pattern in [patterns] if isinstance(patterns, str) else patterns:
                like = "StringLike" in operator
                for patient_id in patient_ids:
                    matched = (
                        fnmatch.fnmatchcase(patient_id, pattern.replace("[", "[[]")) if like else patient_id == pattern
                    )
                    assert not matched, (statement.get("Sid"), pattern)
        if refers_to(statement["Resource"], "RecordsTable") and writes & set(_actions(statement)):
            assert "dynamodb:LeadingKeys" in repr(statement.get("Condition")), statement.get("Sid")


def test_proxy_grant_timers_have_their_queue_consumer_and_alarm_and_the_consumer_writes_little():
    import app as app_module
    from chalicelib import settings

    # The dated-event state machine may deliver to the grant timers' queue, whose consumer is the app's.
    role = RESOURCES["DatedEventStateMachineRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert any(refers_to(s["Resource"], "ProxyGrantTimersQueue") for s in role if s["Action"] == "sqs:SendMessage")
    queue = RESOURCES["ProxyGrantTimersQueue"]["Properties"]
    assert queue["QueueName"] == settings.PROXY_GRANT_TIMERS_QUEUE_NAME and not queue["QueueName"].endswith(".fifo")
    [source] = [e for e in app_module.app.event_sources if e.name == "on_proxy_grant_timer"]
    assert source.queue == settings.PROXY_GRANT_TIMERS_QUEUE_NAME
    [alarm] = [
        a["Properties"]
        for a in of_type("AWS::CloudWatch::Alarm").values()
        if refers_to(a["Properties"].get("Dimensions"), "ProxyGrantTimersDeadLetterQueue")
    ]
    assert refers_to(alarm["AlarmActions"], "AlarmTopic")
    # It writes the grant, the outbox, the worklist and nothing else of the records table.
    [writes] = [
        s for s in statements("ProxyGrantTimersPolicy") if s["Action"] == "dynamodb:PutItem" and "Condition" in s
    ]
    assert sorted(writes["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]) == [
        "outbox",
        "proxy-grants#*",
        "proxy-of#*",
        "worklist#*",
    ]


def test_record_exports_have_their_queue_consumer_and_alarm_and_expire_within_a_week():
    from app import app
    from chalicelib import settings

    queue = RESOURCES["RecordExportsQueue"]["Properties"]
    assert queue["QueueName"] == settings.RECORD_EXPORTS_QUEUE_NAME
    # Two tries, the second of which marks the export failed (apps/export/consumer.py)
    from chalicelib.apps.export.consumer import MAX_TRIES

    assert queue["RedrivePolicy"]["maxReceiveCount"] == MAX_TRIES
    [source] = [h for h in app.event_sources if getattr(h, "queue", "") == settings.RECORD_EXPORTS_QUEUE_NAME]
    assert source.name == "on_record_export"
    assert any(
        refers_to(a["Properties"].get("Dimensions"), "RecordExportsDeadLetterQueue")
        for a in of_type("AWS::CloudWatch::Alarm").values()
    )
    bucket = RESOURCES["ExportsBucket"]["Properties"]
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["ExpirationInDays"] == 7 and rule["Prefix"] == "exports/"
    # The consumer writes exports and nothing else of the records table; the API only links to files
    [finish] = [s for s in statements("RecordExportsPolicy") if s.get("Sid") == "FinishTheExport"]
    assert finish["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["exports#*"]}}
    [files] = [s for s in statements("ApiAccessPolicy") if s.get("Sid") == "RecordExportFiles"]
    assert files["Action"] == "s3:GetObject"


# -- sign-in on its own function: in the packaged template, the routes that hash or verify a password
# for someone not signed in reach SignInHandler, every other route APIHandler; the two run the same
# code the same way, and the sign-in function has its own memory, concurrency, log group and a role
# that reaches no health record.

SIGN_IN_ROUTES = {
    "/v1/sessions",
    "/v1/sessions/mfa",
    "/v1/sessions/mfa/email-code",
    "/v1/enrollments",
    "/v1/account/password-resets/confirm",
    "/v1/account/setup",
}


@pytest.fixture(scope="module")
def packaged_resources(packaged) -> dict:
    with open(packaged / "sam.yaml") as handle:
        return yaml.load(handle, Loader=_cfn_loader())["Resources"]


def _function_of(operation: dict) -> str:
    uri = operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
    return uri.split("/functions/${")[1].split(".Arn}")[0]


def test_the_sign_in_routes_reach_the_sign_in_function_and_every_other_route_the_api(packaged_resources):
    paths = packaged_resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    reached = {
        (path, method): _function_of(operation) for path, item in paths.items() for method, operation in item.items()
    }
    assert {key for key, function in reached.items() if function == "SignInHandler"} == {
        (path, "post") for path in SIGN_IN_ROUTES
    }
    assert {function for function in reached.values()} == {"SignInHandler", "APIHandler"}
    # the override changed the uri only: the rest of chalice's integration is intact
    [operation] = [paths["/v1/sessions"]["post"]]
    assert operation["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
    assert operation["summary"] == "Sign in with a user name and password."


def test_every_sign_in_route_is_a_public_post_route_of_the_app():
    import app as app_module

    routes = app_module.app.routes
    for path in SIGN_IN_ROUTES:
        assert "POST" in routes[path], path


def test_the_sign_in_function_runs_the_same_code_as_the_api_with_its_own_memory_and_concurrency(packaged_resources):
    api = packaged_resources["APIHandler"]["Properties"]
    sign_in = packaged_resources["SignInHandler"]["Properties"]
    for same in ("CodeUri", "Handler", "Runtime", "Architectures", "Timeout", "Tracing", "Tags", "Environment"):
        assert sign_in[same] == api[same], same
    assert sign_in["MemorySize"] == 1769 != api["MemorySize"]  # one full vCPU (bench/argon2_cost.py)
    assert sign_in["ReservedConcurrentExecutions"] == {"Ref": "SignInReservedConcurrency"}
    group = sign_in["LoggingConfig"]["LogGroup"]["Ref"]
    assert group == "SignInHandlerLogGroup" != api["LoggingConfig"]["LogGroup"]["Ref"]
    [policy] = packaged_resources["SignInHandlerRole"]["Properties"]["Policies"]
    logs = next(s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] == "WriteOwnLogs")
    assert logs["Resource"] == {"Fn::GetAtt": [group, "Arn"]}
    permission = packaged_resources["SignInHandlerInvokePermission"]["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["FunctionName"] == {"Ref": "SignInHandler"}
    assert "${RestAPI}/*/POST/*" in permission["SourceArn"]["Fn::Sub"]


def test_the_sign_in_role_reaches_no_health_record_document_feed_or_timer():
    policy = RESOURCES["SignInAccessPolicy"]["Properties"]
    assert policy["Roles"] == [{"Ref": "SignInHandlerRole"}]
    granted = repr(policy["PolicyDocument"]["Statement"])
    for elsewhere in ("RecordsTable", "FeedMessagesTable", "Bucket", "DatedEventStateMachine", "AppSigningKey"):
        assert elsewhere not in granted, elsewhere
    assert "s3:" not in granted and "states:" not in granted and "dynamodb:Scan" not in granted
    [audit] = [s for s in policy["PolicyDocument"]["Statement"] if "AuditEventsTable" in repr(s["Resource"])]
    assert audit["Action"] == "dynamodb:PutItem"  # the trail is appended to, never read, here


def test_the_sign_in_concurrency_is_a_parameter_with_a_floor():
    parameter = TEMPLATE["Parameters"]["SignInReservedConcurrency"]
    assert parameter["Type"] == "Number" and parameter["MinValue"] >= 1 and parameter["Default"] >= 1
