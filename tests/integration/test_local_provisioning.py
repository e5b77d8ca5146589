"""The local stack provisions what infra/template.yaml declares, read back through the AWS APIs.

GIVEN the template, WHEN the local provisioner runs against moto, THEN every resource the
template declares exists with the settings it declares (or is listed as skipped, with a reason),
and the functions' environment names every provisioned resource.
"""

from __future__ import annotations

import json

import boto3
import pytest

from chalicelib.settings import CLINICAL_INBOUND_QUEUE_NAME, NOTIFICATIONS_QUEUE_NAME, load_settings
from infra.local.provision import SKIPPED, provision
from infra.local.template import load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]


def of_type(kind: str) -> dict:
    return {logical_id: r["Properties"] for logical_id, r in RESOURCES.items() if r["Type"] == kind}


def test_every_resource_is_provisioned_or_skipped_with_a_reason(aws):
    for logical_id, resource in RESOURCES.items():
        assert logical_id in aws.physical or aws.skipped.get(logical_id) == SKIPPED[resource["Type"]], logical_id


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::DynamoDB::Table")))
def test_tables_agree_with_the_template(aws, logical_id):
    declared = RESOURCES[logical_id]["Properties"]
    dynamodb = boto3.client("dynamodb")
    table = dynamodb.describe_table(TableName=aws.physical[logical_id])["Table"]

    assert table["KeySchema"] == declared["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(declared["AttributeDefinitions"], key=str)
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    for indexes in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        # (the projection too: what an index copies is what a reader of it may get)
        assert {i["IndexName"]: (i["KeySchema"], i["Projection"]) for i in table.get(indexes, [])} == {
            i["IndexName"]: (i["KeySchema"], i["Projection"]) for i in declared.get(indexes, [])
        }
    assert table["SSEDescription"]["SSEType"] == "KMS"
    backups = dynamodb.describe_continuous_backups(TableName=table["TableName"])["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = dynamodb.describe_time_to_live(TableName=table["TableName"])["TimeToLiveDescription"]
    if "TimeToLiveSpecification" in declared:
        assert ttl["AttributeName"] == declared["TimeToLiveSpecification"]["AttributeName"]
        assert ttl["TimeToLiveStatus"] == "ENABLED"
    else:
        assert ttl["TimeToLiveStatus"] == "DISABLED"
    if "StreamSpecification" in declared:
        assert table["StreamSpecification"]["StreamViewType"] == declared["StreamSpecification"]["StreamViewType"]


def test_an_index_that_names_what_it_carries_is_provisioned_with_those_attributes_only(aws):
    # GIVEN a table whose index projects two named attributes (INCLUDE), as a template may declare
    template = {
        "Resources": {
            "ListedTable": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [
                        {"AttributeName": "pk", "AttributeType": "S"},
                        {"AttributeName": "listed", "AttributeType": "S"},
                    ],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "GlobalSecondaryIndexes": [
                        {
                            "IndexName": "by-listed",
                            "KeySchema": [{"AttributeName": "listed", "KeyType": "HASH"}],
                            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["status", "role"]},
                        }
                    ],
                },
            }
        }
    }
    dynamodb = boto3.client("dynamodb")
    created = provision(boto3.Session(), stack_name="include-check", template=template)
    name = created.physical["ListedTable"]
    try:
        # WHEN an item with a secret beside the named attributes is written
        dynamodb.put_item(
            TableName=name,
            Item={"pk": {"S": "1"}, "listed": {"S": "x"}, "status": {"S": "active"}, "secret": {"S": "s"}},
        )

        # THEN the index is declared as the template says, and a read of it holds no secret
        index = dynamodb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
        assert index["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["status", "role"]}
        read = dynamodb.query(
            TableName=name,
            IndexName="by-listed",
            KeyConditionExpression="listed = :l",
            ExpressionAttributeValues={":l": {"S": "x"}},
        )["Items"]
        assert read == [{"pk": {"S": "1"}, "listed": {"S": "x"}, "status": {"S": "active"}}]
    finally:
        dynamodb.delete_table(TableName=name)


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::S3::Bucket")))
def test_buckets_agree_with_the_template(aws, logical_id):
    declared = RESOURCES[logical_id]["Properties"]
    s3 = boto3.client("s3")
    name = aws.physical[logical_id]

    assert s3.get_bucket_versioning(Bucket=name)["Status"] == declared["VersioningConfiguration"]["Status"]
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert all(
        block[key] for key in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    )
    rule = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
    encryption = declared["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == encryption["SSEAlgorithm"]
    if encryption["SSEAlgorithm"] == "aws:kms":
        assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == aws.environment["PORTAL_KMS_KEY_ID"]
    if "LifecycleConfiguration" in declared:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
        assert [r["ID"] for r in rules] == [r["Id"] for r in declared["LifecycleConfiguration"]["Rules"]]
    if "CorsConfiguration" in declared:
        # (the local stack's portal origin: PublicBaseUrl, as the tests provision it)
        # (the portal's upload rule is the last: moto answers a preflight with the last rule's methods)
        *others, cors = s3.get_bucket_cors(Bucket=name)["CORSRules"]
        assert (cors["AllowedMethods"], cors["AllowedOrigins"]) == (["POST"], ["https://portal.test"])
        # (the attachments bucket's SMART Health Link files: any viewer may GET them)
        assert [(r["AllowedMethods"], r["AllowedOrigins"]) for r in others] == [
            (["GET"], ["*"]) for _ in declared["CorsConfiguration"]["CorsRules"][:-1]
        ]
    if declared.get("ObjectLockEnabled"):
        lock = s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]
        assert lock["Rule"]["DefaultRetention"]["Mode"] == "GOVERNANCE"
        assert lock["Rule"]["DefaultRetention"]["Days"] == int(
            TEMPLATE["Parameters"]["SignedDocumentRetentionDays"]["Default"]
        )


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::SQS::Queue")))
def test_queues_agree_with_the_template(aws, logical_id):
    declared = RESOURCES[logical_id]["Properties"]
    sqs = boto3.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=aws.physical[logical_id], AttributeNames=["All"])["Attributes"]

    assert attributes["QueueArn"].endswith(":" + declared["QueueName"])
    assert attributes["KmsMasterKeyId"] == aws.physical["PortalKey"]
    assert attributes.get("FifoQueue", "false") == ("true" if declared.get("FifoQueue") else "false")
    for name in ("VisibilityTimeout", "DeduplicationScope", "FifoThroughputLimit", "MaximumMessageSize"):
        if name in declared:
            assert attributes[name] == str(declared[name]), name
    if "RedrivePolicy" in declared:
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["maxReceiveCount"] == declared["RedrivePolicy"]["maxReceiveCount"]
        dead_letter = declared["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert redrive["deadLetterTargetArn"].endswith(":" + RESOURCES[dead_letter]["Properties"]["QueueName"])
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_every_live_queue_has_a_dead_letter_queue():
    queues = of_type("AWS::SQS::Queue")
    dead_letter_targets = {
        q["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0] for q in queues.values() if "RedrivePolicy" in q
    }
    for logical_id in queues:
        assert logical_id in dead_letter_targets or "RedrivePolicy" in queues[logical_id], logical_id


def test_state_machine_runs_the_declared_definition(aws):
    sfn = boto3.client("stepfunctions")
    machine = sfn.describe_state_machine(stateMachineArn=aws.physical["DatedEventStateMachine"])
    assert json.loads(machine["definition"]) == RESOURCES["DatedEventStateMachine"]["Properties"]["Definition"]
    assert machine["encryptionConfiguration"]["type"] == "CUSTOMER_MANAGED_KMS_KEY"
    assert machine["encryptionConfiguration"]["kmsKeyId"] == aws.environment["PORTAL_KMS_KEY_ID"]


def test_sender_identity_and_key(aws):
    ses = boto3.client("ses")
    sender = TEMPLATE["Parameters"]["SenderAddress"]["Default"]
    assert sender in ses.list_identities()["Identities"]
    kms = boto3.client("kms")
    assert kms.get_key_rotation_status(KeyId=aws.physical["PortalKey"])["KeyRotationEnabled"]
    assert "alias/patient-portal" in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]


def test_the_record_id_key_is_an_hmac_key_as_declared_and_the_functions_name_it(aws):
    declared = RESOURCES["RecordIdKey"]["Properties"]
    kms = boto3.client("kms")
    key = kms.describe_key(KeyId=aws.physical["RecordIdKey"])["KeyMetadata"]

    assert (
        (key["KeySpec"], key["KeyUsage"])
        == (declared["KeySpec"], declared["KeyUsage"])
        == (
            "HMAC_256",
            "GENERATE_VERIFY_MAC",
        )
    )
    assert aws.environment["PORTAL_RECORD_ID_KEY_ID"] == key["Arn"]
    assert not kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]


def test_queue_names_in_code_match_the_template():
    names = {props["QueueName"] for props in of_type("AWS::SQS::Queue").values()}
    assert {CLINICAL_INBOUND_QUEUE_NAME, NOTIFICATIONS_QUEUE_NAME} <= names


def test_the_functions_environment_is_what_settings_reads(aws):
    """Every variable the template hands the functions is read by Settings, and the provisioned
    values reach it: a renamed variable on either side fails here."""
    from chalicelib.settings import RESOURCE_VARIABLES

    settings = load_settings(aws.environment)
    expected = {  # Settings field -> the template resource it must name
        "audit_table": "AuditEventsTable",
        "accounts_table": "AccountsTable",
        "organizations_table": "OrganizationsTable",
        "feed_messages_table": "FeedMessagesTable",
        "idempotency_table": "IdempotencyTable",
        "documents_bucket": "DocumentsBucket",
        "signed_documents_bucket": "SignedDocumentsBucket",
        "feed_archive_bucket": "FeedArchiveBucket",
        "attachments_bucket": "AttachmentsBucket",
        "clinical_inbound_queue_url": "ClinicalInboundQueue",
        "clinical_outbound_queue_url": "ClinicalOutboundQueue",
        "clinical_ack_queue_url": "ClinicalAckQueue",
        "notifications_queue_url": "NotificationsQueue",
        "appointment_reminders_queue_url": "AppointmentRemindersQueue",
        "dated_event_state_machine_arn": "DatedEventStateMachine",
    }
    assert {field: getattr(settings, field) for field in expected} == {
        field: aws.physical[logical_id] for field, logical_id in expected.items()
    }
    assert settings.public_base_url == "https://portal.test"
    assert set(aws.environment) == set(RESOURCE_VARIABLES.values()) | {
        "PORTAL_SENDER_ADDRESS",
        "PORTAL_CORS_ALLOWED_ORIGINS",
        "PORTAL_TERMS_ORGANIZATION",
        "PORTAL_DEFAULT_TIME_ZONE",
        "PORTAL_SIGNED_FORM_LOCK_MODE",
        "PORTAL_SIGNED_FORM_LOCK_DAYS",
    }
    # Signed forms are each locked as the bucket's default retention says (the same parameters).
    assert (settings.signed_form_lock_mode, settings.signed_form_lock_days) == ("GOVERNANCE", 2192)
    assert settings.missing() == []


def test_the_attachment_uploads_answer_cors_for_each_allowed_origin_of_the_portal():
    """The template's Fn::If and Fn::Split, as the local stack resolves them: the portal's own
    origin always, and each of CorsAllowedOrigins when there are any."""
    from infra.local.template import Resolver

    template = load_template()
    origins = template["Resources"]["AttachmentsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"][-1][
        "AllowedOrigins"
    ]
    conditions = template["Conditions"]
    alone = Resolver({"PublicBaseUrl": "https://portal.test", "CorsAllowedOrigins": ""}, "s", "us-east-1", conditions)
    assert alone.resolve(origins) == ["https://portal.test"]
    more = Resolver(
        {"PublicBaseUrl": "https://portal.test", "CorsAllowedOrigins": "http://localhost:5173,https://app.test"},
        "s",
        "us-east-1",
        conditions,
    )
    assert more.resolve(origins) == ["https://portal.test", "http://localhost:5173", "https://app.test"]
