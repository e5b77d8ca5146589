"""Upload the built web portal (web/dist) to a deployed stack's web bucket, which CloudFront serves.

    python -m infra.publish_web --stack patient-portal        (what `make publish-web` runs)

The bucket and the distribution come from the stack's outputs (WebBucketName, WebDistributionId).
Files get the content types and cache rules the local stack gives them (infra/local/web.py): the
hashed bundles under assets/ are immutable for a year, everything else is revalidated each time.

Order matters for the visitors of the moment: the bundles go first and index.html last, so no
page ever names a bundle that is not there yet; earlier bundles are left in place (a tab opened
before the upload still loads its chunks; the bucket's lifecycle removes replaced versions).
Finally CloudFront is told to forget the cached index.html.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import boto3

from infra.local.web import ASSET_CACHE, CONTENT_TYPES, HTML_CACHE

DIST = Path(__file__).resolve().parents[1] / "web" / "dist"


def upload_order(root: Path) -> list[Path]:
    """Every file of the build, bundles first and index.html last."""
    files = sorted(path for path in root.rglob("*") if path.is_file())
    index = root / "index.html"
    if index not in files:
        raise SystemExit(f"{root} has no index.html: build the web portal first (`make web-build`)")
    # Vite's manifest says which bundle is which; it is for the build's tests, not for visitors.
    files = [path for path in files if ".vite" not in path.relative_to(root).parts]
    assets = [path for path in files if path.relative_to(root).parts[0] == "assets"]
    others = [path for path in files if path not in assets and path != index]
    return assets + others + [index]


def object_settings(root: Path, path: Path) -> dict[str, str]:
    relative = path.relative_to(root).as_posix()
    return {
        "ContentType": CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream"),
        "CacheControl": ASSET_CACHE if relative.startswith("assets/") else HTML_CACHE,
    }


def publish(root: Path, bucket: str, distribution_id: str | None, *, s3=None, cloudfront=None) -> list[str]:
    """Upload the build in ``root``; answers the keys written, in the order they were written."""
    s3 = s3 or boto3.client("s3")
    written = []
    for path in upload_order(root):
        key = path.relative_to(root).as_posix()
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), **object_settings(root, path))
        written.append(key)
    if distribution_id:
        cloudfront = cloudfront or boto3.client("cloudfront")
        cloudfront.create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": 1, "Items": ["/index.html"]},
                "CallerReference": f"publish-web-{time.time_ns()}",
            },
        )
    return written


def stack_outputs(stack: str) -> dict[str, str]:
    described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stack", default="patient-portal", help="the deployed stack's name")
    parser.add_argument("--dist", type=Path, default=DIST, help="the built web portal (web/dist)")
    args = parser.parse_args(argv)
    outputs = stack_outputs(args.stack)
    if "WebBucketName" not in outputs:
        print(f"stack {args.stack} has no WebBucketName output: deploy the current template first")
        return 1
    written = publish(args.dist, outputs["WebBucketName"], outputs.get("WebDistributionId"))
    print(f"uploaded {len(written)} files to {outputs['WebBucketName']}; {outputs.get('WebUrl', '')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
