"""One cold function in one fresh process: import app.py, then serve its first request as Lambda
would hand it over (an API Gateway proxy event), and print the CPU and wall time of each as JSON.

Run by bench/xray_cost.py (tracing on against off) and bench/runtimes.py (one Python runtime
against another): ``python -m bench.first_request_child``. The request is GET /v1/health/deep, which
builds a client for every AWS service the portal calls and calls each resource once: the most AWS
calls a public request makes. AWS is answered below botocore's retry and parsing by a canned empty
answer (no network, no moto), so the figures are the portal's and its libraries' work only; every
run gives the same answers, so both sides of a comparison do the same work.
"""

from __future__ import annotations

import json
import os
import time

started_cpu, started_wall = time.process_time(), time.perf_counter()

import app as portal  # noqa: E402

imported_cpu, imported_wall = time.process_time(), time.perf_counter()

import types  # noqa: E402

from botocore import httpsession  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, *_, **__):
        yield self._body


# Each probe's call answered as a serving resource would answer it (by JSON target; SES speaks XML).
_JSON_ANSWERS = {
    "DynamoDB_20120810.DescribeTable": {"Table": {"TableStatus": "ACTIVE"}},
    "TrentService.DescribeKey": {"KeyMetadata": {"KeyId": "bench", "KeyState": "Enabled"}},
    "AmazonSQS.GetQueueAttributes": {"Attributes": {"QueueArn": "arn:aws:sqs:us-east-1:111122223333:bench"}},
}
_SES_VERIFIED = (
    b'<GetIdentityVerificationAttributesResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">'
    b"<GetIdentityVerificationAttributesResult><VerificationAttributes><entry><key>bench</key><value>"
    b"<VerificationStatus>Success</VerificationStatus></value></entry></VerificationAttributes>"
    b"</GetIdentityVerificationAttributesResult><ResponseMetadata><RequestId>bench</RequestId>"
    b"</ResponseMetadata></GetIdentityVerificationAttributesResponse>"
)


def _answer(self, request) -> AWSResponse:
    """Every AWS call answered at once, as by a healthy service."""
    target = request.headers.get("X-Amz-Target")
    if target:
        body = json.dumps(_JSON_ANSWERS.get(target.decode() if isinstance(target, bytes) else target, {})).encode()
    elif "GetIdentityVerificationAttributes" in str(request.body or ""):
        body = _SES_VERIFIED
    else:
        body = b""  # S3's HeadBucket
    return AWSResponse(request.url, 200, {"x-amzn-requestid": "bench"}, _Raw(body))


httpsession.URLLib3Session.send = _answer  # type: ignore[method-assign]

# The route asked (bench/xray_cost.py also asks GET /v1/health, which calls no AWS service).
PATH = os.environ.get("BENCH_FIRST_REQUEST_PATH", "/v1/health/deep")
EVENT = {
    "resource": PATH,
    "path": PATH,
    "httpMethod": "GET",
    "headers": {"Host": "portal.example.org", "Accept": "application/json"},
    "multiValueHeaders": {"Host": ["portal.example.org"], "Accept": ["application/json"]},
    "queryStringParameters": None,
    "multiValueQueryStringParameters": None,
    "pathParameters": None,
    "stageVariables": None,
    "requestContext": {
        "resourcePath": PATH,
        "httpMethod": "GET",
        "path": "/api" + PATH,
        "stage": "api",
        "requestId": "bench-request",
        "identity": {"sourceIp": "203.0.113.7"},
    },
    "body": None,
    "isBase64Encoded": False,
}
CONTEXT = types.SimpleNamespace(
    function_name="patient-portal-prod",
    function_version="$LATEST",
    memory_limit_in_mb=512,
    invoked_function_arn="arn:aws:lambda:us-east-1:111122223333:function:patient-portal-prod",
    aws_request_id="bench-request",
    log_group_name="/aws/lambda/patient-portal-prod",
    log_stream_name="bench",
    get_remaining_time_in_millis=lambda: 30_000,
)

answer_cpu, answer_wall = time.process_time(), time.perf_counter()
response = portal.app(EVENT, CONTEXT)
done_cpu, done_wall = time.process_time(), time.perf_counter()

print(
    json.dumps(
        {
            "status": response["statusCode"],
            "import_cpu_ms": (imported_cpu - started_cpu) * 1000,
            "request_cpu_ms": (done_cpu - answer_cpu) * 1000,
            "first_cpu_ms": (imported_cpu - started_cpu + done_cpu - answer_cpu) * 1000,
            "first_wall_ms": (imported_wall - started_wall + done_wall - answer_wall) * 1000,
            "import_wall_ms": (imported_wall - started_wall) * 1000,
        }
    )
)
