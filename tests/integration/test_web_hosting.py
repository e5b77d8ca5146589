"""The web portal in AWS: CloudFront serves the build from a private bucket and passes /v1/* to the
API, with the same headers and the same page addresses as the local stack; `make publish-web`
uploads a build so that no visitor ever meets a half-published portal.

GIVEN the template and a build, WHEN a deployer publishes it and visitors open addresses, THEN they
get what the local stack gives them.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import boto3
import pytest

from infra import publish_web
from infra.local import web
from infra.local.template import load_template
from tests.conftest import PROJECT_DIR

RESOURCES = load_template()["Resources"]
DISTRIBUTION = RESOURCES["WebDistribution"]["Properties"]["DistributionConfig"]


def behaviour(pattern: str | None) -> dict:
    if pattern is None:
        return DISTRIBUTION["DefaultCacheBehavior"]
    return next(b for b in DISTRIBUTION["CacheBehaviors"] if b["PathPattern"] == pattern)


def origin(origin_id: str) -> dict:
    return next(o for o in DISTRIBUTION["Origins"] if o["Id"] == origin_id)


def test_the_page_gets_the_local_stacks_security_headers():
    policy = RESOURCES["WebSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = policy["SecurityHeadersConfig"]
    in_aws = web.content_security_policy(web.UPLOAD_ORIGINS_IN_AWS, web.DOCUMENT_ORIGINS_IN_AWS)
    assert security["ContentSecurityPolicy"]["ContentSecurityPolicy"] == {"Fn::Sub": in_aws}
    assert "unsafe-inline" not in in_aws
    assert security["FrameOptions"]["FrameOption"] == web.HEADERS["X-Frame-Options"]
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == web.HEADERS["Referrer-Policy"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    custom = {item["Header"]: item["Value"] for item in policy["CustomHeadersConfig"]["Items"]}
    assert custom["Cross-Origin-Opener-Policy"] == web.HEADERS["Cross-Origin-Opener-Policy"]
    assert all(setting.get("Override", True) for setting in security.values())
    assert behaviour(None)["ResponseHeadersPolicyId"] == {"Ref": "WebSecurityHeaders"}


def _directive(policy: str, name: str) -> list[str]:
    return next(d.split()[1:] for d in policy.split("; ") if d.split()[0] == name)


def test_staff_may_frame_and_show_files_from_the_two_document_buckets_and_nowhere_else():
    policy = web.content_security_policy(web.UPLOAD_ORIGINS_IN_AWS, web.DOCUMENT_ORIGINS_IN_AWS)
    buckets = {
        f"https://${{{bucket}}}.s3{region}.amazonaws.com"
        for bucket in ("AttachmentsBucket", "SignedDocumentsBucket")
        for region in (".${AWS::Region}", "")
    }
    assert set(_directive(policy, "frame-src")) == buckets
    # images also from any https: origin (health apps' logos), never plain http
    assert set(_directive(policy, "img-src")) == {"'self'", "data:", "https:", *buckets}
    # the page still calls only its own origin and the uploads' bucket
    assert "SignedDocumentsBucket" not in " ".join(_directive(policy, "connect-src"))
    assert {"AttachmentsBucket", "SignedDocumentsBucket"} <= set(RESOURCES)
    # CloudFront refuses a policy longer than 1783 characters: with the longest bucket names S3
    # allows (63) and region, it still fits.
    longest = policy.replace("${AttachmentsBucket}", "a" * 63).replace("${SignedDocumentsBucket}", "s" * 63)
    assert len(longest.replace("${AWS::Region}", "ap-southeast-4")) <= 1783


def test_the_api_is_on_the_pages_origin_uncached_with_the_session_header_passed_on():
    api = behaviour("/v1/*")
    assert api["TargetOriginId"] == "api"
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # caching disabled
    # all viewer headers (Authorization included, which caching disabled allows) except Host
    assert api["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert behaviour(None)["ViewerProtocolPolicy"] == "redirect-to-https"
    assert api["ViewerProtocolPolicy"] == "https-only"  # a token is never sent in clear, even once


def test_the_api_origin_is_the_stage_chalice_deploys():
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    stage = config["stages"]["prod"]["api_gateway_stage"]
    assert origin("api")["OriginPath"] == f"/{stage}"
    assert "RestAPI" in repr(origin("api")["DomainName"])


def test_only_the_portals_distribution_reads_the_web_bucket():
    assert "OriginAccessControlId" in origin("web")
    statements = RESOURCES["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1
    assert allows[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allows[0]["Action"] == "s3:GetObject"
    assert "WebDistribution" in repr(allows[0]["Condition"]["StringEquals"]["AWS:SourceArn"])


ADDRESSES = [
    "/",
    "/enroll",
    "/results/abc123",
    "/reset-password",
    "/assets/index-abc123.js",
    "/assets/missing-chunk.js",
    "/favicon.ico",
]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node (make test installs the web portal with it)")
def test_cloudfront_answers_the_apps_addresses_with_index_html_as_the_local_stack_does(tmp_path):
    code = RESOURCES["WebPageRewrite"]["Properties"]["FunctionCode"]
    script = code + "\nconsole.log(JSON.stringify(process.argv.slice(1).map(u => handler({request: {uri: u}}).uri)));"
    done = subprocess.run(["node", "-e", script, *ADDRESSES], capture_output=True, text=True, timeout=30, check=True)
    at_the_edge = dict(zip(ADDRESSES, json.loads(done.stdout), strict=True))

    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>app</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("export {}")
    (tmp_path / "favicon.ico").write_bytes(b"\0")
    for address in ADDRESSES:
        local = web.answer(tmp_path, address)
        gets_the_app = local.status == 200 and local.body == (tmp_path / "index.html").read_bytes()
        assert (at_the_edge[address] == "/index.html") == gets_the_app, address
        if not gets_the_app:
            assert at_the_edge[address] == address  # the file itself, or a plain miss


@pytest.fixture
def build(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / ".vite").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><script type="module" src="/assets/index-abc.js"></script>')
    (tmp_path / "assets" / "index-abc.js").write_text("export {}")
    (tmp_path / "assets" / "index-abc.css").write_text("body{}")
    (tmp_path / "favicon.ico").write_bytes(b"\0")
    (tmp_path / ".vite" / "manifest.json").write_text("{}")
    return tmp_path


def test_publishing_uploads_bundles_before_the_page_that_names_them_with_the_local_cache_rules(aws, build):
    s3 = boto3.client("s3")
    bucket = aws.physical["WebBucket"]
    s3.put_object(Bucket=bucket, Key="assets/index-old.js", Body=b"export {}")  # an earlier deployment

    written = publish_web.publish(build, bucket, None, s3=s3)

    assert written[-1] == "index.html"
    assert written.index("assets/index-abc.js") < written.index("index.html")
    assert ".vite/manifest.json" not in written
    bundle = s3.head_object(Bucket=bucket, Key="assets/index-abc.js")
    assert bundle["ContentType"] == web.CONTENT_TYPES[".js"]
    assert bundle["CacheControl"] == web.ASSET_CACHE
    page = s3.head_object(Bucket=bucket, Key="index.html")
    assert page["ContentType"] == web.CONTENT_TYPES[".html"]
    assert page["CacheControl"] == web.HTML_CACHE
    # a tab opened before this deployment still finds its chunks
    assert s3.head_object(Bucket=bucket, Key="assets/index-old.js")["ContentLength"] > 0


def test_publishing_tells_cloudfront_to_forget_the_cached_page(aws, build):
    s3 = boto3.client("s3")
    cloudfront = boto3.client("cloudfront")
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "test",
            "Comment": "",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "web", "DomainName": "web.s3.amazonaws.com"}]},
            "DefaultCacheBehavior": {"TargetOriginId": "web", "ViewerProtocolPolicy": "redirect-to-https"},
        }
    )["Distribution"]["Id"]

    publish_web.publish(build, aws.physical["WebBucket"], distribution, s3=s3, cloudfront=cloudfront)

    invalidations = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]["Items"]
    assert len(invalidations) == 1
    done = cloudfront.get_invalidation(DistributionId=distribution, Id=invalidations[0]["Id"])
    assert done["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/index.html"]


def test_publishing_refuses_a_folder_that_is_not_a_build(tmp_path):
    with pytest.raises(SystemExit, match="no index.html"):
        publish_web.publish(tmp_path, "web", None, s3=object())


def test_cloudfront_marks_its_requests_to_the_api_with_the_secret_the_api_function_knows():
    headers = {h["HeaderName"].lower(): h["HeaderValue"] for h in origin("api")["OriginCustomHeaders"]}
    from chalicelib.http.edge import EDGE_SECRET_HEADER

    marked = headers[EDGE_SECRET_HEADER]
    api_environment = RESOURCES["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert api_environment["PORTAL_EDGE_SECRET"] == marked
    assert "EdgeSecret" in repr(marked) and "resolve:secretsmanager" in repr(marked)
    assert RESOURCES["EdgeSecret"]["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    # the browser's requests to the page's files never carry it
    assert "OriginCustomHeaders" not in origin("web")
