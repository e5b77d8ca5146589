"""Provision the resources of infra/template.yaml through the service APIs (moto on the local
stack, or moto's decorator in tests).

Why not CloudFormation? moto's CloudFormation skips SES resources, ignores TTL, point-in-time
recovery, versioning, object lock and public-access blocks, and state machines it creates are
invisible to its Step Functions executor. Reading the same template here keeps one
source of truth; tests/integration/test_local_provisioning.py checks that what this creates
agrees with what the template declares.

Every resource type in the template is either provisioned here or listed in SKIPPED with the
reason; an unknown type fails loudly, so a new kind of resource cannot be silently missing locally.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any

from infra.local.template import ACCOUNT_ID, Resolver, load_template, references

SKIPPED = {
    "AWS::Serverless::Function": "the chalice app runs in-process (chalice local and the SQS pollers)",
    "AWS::Serverless::Api": "chalice local serves the API",
    "AWS::IAM::Role": "moto does not enforce IAM; policies are checked by cfn-lint and tests/integration/test_template.py",
    "AWS::IAM::Policy": "moto does not enforce IAM",
    "AWS::Logs::LogGroup": "functions log to the console locally",
    # moto evaluates bucket policies without their Condition blocks, so the TLS-only Deny would
    # refuse every request; tests/integration/test_template.py checks the policies instead.
    "AWS::S3::BucketPolicy": "moto ignores policy conditions (the TLS-only Deny would deny everything)",
    "AWS::SNS::Topic": "alarms do not run locally",
    "AWS::SNS::Subscription": "alarms do not run locally",
    "AWS::CloudWatch::Alarm": "alarms do not run locally",
    # The local stack serves web/dist itself, with the same headers (infra/local/web.py).
    "AWS::CloudFront::Distribution": "the local stack serves the web portal and the API on one origin",
    "AWS::CloudFront::OriginAccessControl": "the local stack serves the web portal from web/dist",
    "AWS::CloudFront::ResponseHeadersPolicy": "infra/local/web.py sends the same headers",
    "AWS::CloudFront::Function": "infra/local/web.py answers the app's addresses with index.html",
    "AWS::SecretsManager::Secret": "the edge secret marks CloudFront's requests; locally there is no CloudFront",
    "AWS::ApiGateway::Account": "the account's API Gateway logging role: chalice local writes no access log",
    "AWS::Lambda::Permission": "chalice local calls the app in-process (the sign-in routes included)",
}


@dataclass
class Provisioned:
    """What the local stack created: physical ids by logical id, and the functions' environment."""

    stack_name: str
    physical: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def provision(
    session,
    *,
    stack_name: str = "patient-portal-local",
    parameters: dict[str, str] | None = None,
    template: dict[str, Any] | None = None,
) -> Provisioned:
    template = template or load_template()
    region = session.region_name
    values = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
    values.update(parameters or {})
    resolver = Resolver(values, stack_name, region, template.get("Conditions"))
    resources = template["Resources"]
    result = Provisioned(stack_name=stack_name)

    creators = _Creators(session, stack_name, resolver)
    wanted = {}
    for logical_id, resource in resources.items():
        kind = resource["Type"]
        if kind in SKIPPED:
            result.skipped[logical_id] = SKIPPED[kind]
            # Roles are still referred to (state machine RoleArn): give them a well-formed ARN.
            resolver.add(logical_id, logical_id, Arn=f"arn:aws:iam::{ACCOUNT_ID}:role/{stack_name}-{logical_id}")
        elif "Condition" in resource:
            raise ValueError(f"{logical_id}: conditional resources are not provisioned locally; add support first")
        elif hasattr(creators, _method(kind)):
            wanted[logical_id] = resource
        else:
            raise ValueError(f"{logical_id}: the local stack does not know how to provision {kind}")

    order = TopologicalSorter({lid: references(res.get("Properties", {})) & set(wanted) for lid, res in wanted.items()})
    for logical_id in order.static_order():
        resource = wanted[logical_id]
        properties = resolver.resolve(resource.get("Properties", {}))
        creator: Callable[[str, dict[str, Any]], Any] = getattr(creators, _method(resource["Type"]))
        creator(logical_id, properties)
        result.physical[logical_id] = resolver.values[logical_id]

    variables = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    result.environment = {name: str(resolver.resolve(value)) for name, value in variables.items()}
    return result


def _method(kind: str) -> str:
    return "create_" + kind.replace("AWS::", "").replace("::", "_").lower()


class _Creators:
    def __init__(self, session, stack_name: str, resolver: Resolver):
        self._session = session
        self._stack = stack_name
        self._resolver = resolver
        self._clients: dict[str, Any] = {}

    def _client(self, service: str):
        if service not in self._clients:
            self._clients[service] = self._session.client(service)
        return self._clients[service]

    def _name(self, logical_id: str, limit: int) -> str:
        return f"{self._stack}-{logical_id}"[:limit]

    # ------------------------------------------------------------------------------ KMS
    def create_kms_key(self, logical_id: str, props: dict[str, Any]) -> None:
        kms = self._client("kms")
        params: dict[str, Any] = {"Description": props.get("Description", ""), "Policy": json.dumps(props["KeyPolicy"])}
        for name in ("KeySpec", "KeyUsage"):  # an HMAC key (the record-id key) says both
            if name in props:
                params[name] = props[name]
        key = kms.create_key(**params)
        key_id = key["KeyMetadata"]["KeyId"]
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=key_id)
        self._resolver.add(logical_id, key_id, Arn=key["KeyMetadata"]["Arn"], KeyId=key_id)

    def create_kms_alias(self, logical_id: str, props: dict[str, Any]) -> None:
        self._client("kms").create_alias(AliasName=props["AliasName"], TargetKeyId=props["TargetKeyId"])
        self._resolver.add(logical_id, props["AliasName"])

    # ------------------------------------------------------------------------------ DynamoDB
    def create_dynamodb_table(self, logical_id: str, props: dict[str, Any]) -> None:
        dynamodb = self._client("dynamodb")
        name = self._name(logical_id, 255)
        params: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props["BillingMode"],
        }
        for indexes in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(indexes):
                params[indexes] = props[indexes]
        if props.get("StreamSpecification"):
            params["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        sse = props.get("SSESpecification")
        if sse:
            params["SSESpecification"] = {
                "Enabled": sse["SSEEnabled"],
                "SSEType": sse["SSEType"],
                "KMSMasterKeyId": sse["KMSMasterKeyId"],
            }
        if "DeletionProtectionEnabled" in props:
            params["DeletionProtectionEnabled"] = props["DeletionProtectionEnabled"]
        table = dynamodb.create_table(**params)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        if props.get("PointInTimeRecoverySpecification"):
            dynamodb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification=props["PointInTimeRecoverySpecification"]
            )
        self._resolver.add(logical_id, name, Arn=table["TableArn"], StreamArn=table.get("LatestStreamArn", ""))

    # ------------------------------------------------------------------------------ S3
    def create_s3_bucket(self, logical_id: str, props: dict[str, Any]) -> None:
        s3 = self._client("s3")
        name = self._name(logical_id, 63).lower()
        params: dict[str, Any] = {"Bucket": name}
        if self._session.region_name != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": self._session.region_name}
        if props.get("ObjectLockEnabled"):
            params["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**params)
        if "VersioningConfiguration" in props:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=props["VersioningConfiguration"])
        if "PublicAccessBlockConfiguration" in props:
            s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
            )
        if "OwnershipControls" in props:
            s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=props["OwnershipControls"])
        if "BucketEncryption" in props:
            # CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
            rules = [
                {
                    "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                    "BucketKeyEnabled": rule.get("BucketKeyEnabled", False),
                }
                for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        if "LifecycleConfiguration" in props:
            s3.put_bucket_lifecycle_configuration(
                Bucket=name,
                LifecycleConfiguration={
                    "Rules": [_lifecycle_rule(r) for r in props["LifecycleConfiguration"]["Rules"]]
                },
            )
        if "CorsConfiguration" in props:
            s3.put_bucket_cors(
                Bucket=name,
                CORSConfiguration={"CORSRules": [_cors_rule(r) for r in props["CorsConfiguration"]["CorsRules"]]},
            )
        lock = props.get("ObjectLockConfiguration")
        if lock:
            retention = dict(lock["Rule"]["DefaultRetention"])
            retention["Days"] = int(retention["Days"])
            s3.put_object_lock_configuration(
                Bucket=name,
                ObjectLockConfiguration={
                    "ObjectLockEnabled": lock["ObjectLockEnabled"],
                    "Rule": {"DefaultRetention": retention},
                },
            )
        self._resolver.add(logical_id, name, Arn=f"arn:aws:s3:::{name}")

    # ------------------------------------------------------------------------------ SQS
    _QUEUE_ATTRIBUTES = (
        "FifoQueue",
        "ContentBasedDeduplication",
        "VisibilityTimeout",
        "MessageRetentionPeriod",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "DelaySeconds",
        "ReceiveMessageWaitTimeSeconds",
        "DeduplicationScope",
        "FifoThroughputLimit",
        "MaximumMessageSize",
    )

    def create_sqs_queue(self, logical_id: str, props: dict[str, Any]) -> None:
        sqs = self._client("sqs")
        attributes = {name: _attribute_text(props[name]) for name in self._QUEUE_ATTRIBUTES if name in props}
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        name = props.get("QueueName") or self._name(logical_id, 80)
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self._resolver.add(logical_id, url, Arn=arn, QueueName=name, QueueUrl=url)

    def create_sqs_queuepolicy(self, logical_id: str, props: dict[str, Any]) -> None:
        for url in props["Queues"]:
            self._client("sqs").set_queue_attributes(
                QueueUrl=url, Attributes={"Policy": json.dumps(props["PolicyDocument"])}
            )
        self._resolver.add(logical_id, logical_id)

    # ------------------------------------------------------------------------------ Step Functions
    def create_stepfunctions_statemachine(self, logical_id: str, props: dict[str, Any]) -> None:
        definition = json.dumps(props["Definition"])
        for name, value in (props.get("DefinitionSubstitutions") or {}).items():
            definition = definition.replace("${" + name + "}", str(value))
        name = self._name(logical_id, 80)
        params: dict[str, Any] = {"name": name, "definition": definition, "roleArn": props["RoleArn"]}
        encryption = props.get("EncryptionConfiguration")
        if encryption:
            params["encryptionConfiguration"] = {
                "type": encryption["Type"],
                "kmsKeyId": encryption["KmsKeyId"],
                "kmsDataKeyReusePeriodSeconds": int(encryption["KmsDataKeyReusePeriodSeconds"]),
            }
        arn = self._client("stepfunctions").create_state_machine(**params)["stateMachineArn"]
        self._resolver.add(logical_id, arn, Arn=arn, Name=name)

    # ------------------------------------------------------------------------------ SES
    def create_ses_emailidentity(self, logical_id: str, props: dict[str, Any]) -> None:
        identity = props["EmailIdentity"]
        ses = self._client("ses")
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)
        self._resolver.add(logical_id, identity)


def _attribute_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's lifecycle rule in the S3 API's words."""
    api: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"], "Filter": {"Prefix": rule.get("Prefix", "")}}
    if "TagFilters" in rule:
        api["Filter"] = {"And": {"Prefix": rule.get("Prefix", ""), "Tags": rule["TagFilters"]}}
    if "ExpirationInDays" in rule:
        api["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "NoncurrentVersionExpiration" in rule:
        api["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
        }
    if "AbortIncompleteMultipartUpload" in rule:
        api["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    return api


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's CORS rule in the S3 API's words."""
    api: dict[str, Any] = {"AllowedMethods": rule["AllowedMethods"], "AllowedOrigins": rule["AllowedOrigins"]}
    for cfn, name in (("Id", "ID"), ("AllowedHeaders", "AllowedHeaders"), ("ExposedHeaders", "ExposeHeaders")):
        if cfn in rule:
            api[name] = rule[cfn]
    if "MaxAge" in rule:
        api["MaxAgeSeconds"] = int(rule["MaxAge"])
    return api
