"""Behind CloudFront the visitor's address is believed only on requests the distribution sent.

GIVEN a request's headers, WHEN the API asks who the visitor is, THEN it gets CloudFront's word
only with the edge secret, and the address API Gateway saw otherwise (None here)."""

from __future__ import annotations

import pytest

from chalicelib.http.edge import viewer_address

SECRET = "s3cr3t" * 8


def test_cloudfronts_viewer_address_is_believed_with_the_edge_secret():
    headers = {"x-portal-edge": SECRET, "cloudfront-viewer-address": "198.51.100.7:52311"}
    assert viewer_address(headers, SECRET) == "198.51.100.7"


def test_an_ipv6_visitor_keeps_the_whole_address():
    headers = {"x-portal-edge": SECRET, "cloudfront-viewer-address": "2001:db8::42:443"}
    assert viewer_address(headers, SECRET) == "2001:db8::42"


def test_without_the_viewer_header_the_hop_cloudfront_added_is_used_not_what_the_visitor_wrote():
    # the visitor wrote 203.0.113.66; CloudFront appended the real address; API Gateway, CloudFront's
    headers = {"x-portal-edge": SECRET, "x-forwarded-for": "203.0.113.66, 198.51.100.7, 130.176.0.1"}
    assert viewer_address(headers, SECRET) == "198.51.100.7"


@pytest.mark.parametrize(
    "headers",
    [
        {"cloudfront-viewer-address": "198.51.100.7:1"},  # straight to API Gateway, header forged
        {"x-portal-edge": "guess", "cloudfront-viewer-address": "198.51.100.7:1"},
        {"x-portal-edge": SECRET[:-1], "cloudfront-viewer-address": "198.51.100.7:1"},
        {"x-portal-edge": SECRET, "cloudfront-viewer-address": "not-an-address:1"},
        {"x-portal-edge": SECRET, "x-forwarded-for": "198.51.100.7"},  # one hop: not CloudFront's shape
    ],
)
def test_anything_else_keeps_the_address_api_gateway_saw(headers):
    assert viewer_address(headers, SECRET) is None


def test_a_stack_without_an_edge_believes_no_header():
    headers = {"x-portal-edge": "", "cloudfront-viewer-address": "198.51.100.7:1"}
    assert viewer_address(headers, "") is None
