"""What the local stack answers for the web portal's paths (infra/local/web.py)."""

from __future__ import annotations

import pytest

from infra.local import web


@pytest.fixture
def build(tmp_path):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>portal</title>")
    (root / "assets" / "index-abc.js").write_text("console.log(1)")
    (root / "assets" / "font.woff2").write_bytes(b"wOF2")
    (tmp_path / "secret.txt").write_text("outside the build")
    return root


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/v1", True),
        ("/v1/health", True),
        ("/v1?x=1", True),
        ("/dev/mailbox", True),
        ("/", False),
        ("/enroll?code=x", False),
        ("/v1x", False),
        ("/developer", False),
        ("/assets/a.js", False),
    ],
)
def test_api_paths_are_the_apis(path, api):
    assert web.is_api_path(path) is api


@pytest.mark.parametrize("path", ["/", "/enroll?code=abc", "/sign-in", "/a/b/c", "/index.html"])
def test_the_app_s_pages_answer_index_html_with_the_page_headers(build, path):
    answer = web.answer(build, path)
    assert answer.status == 200
    assert answer.body == (build / "index.html").read_bytes()
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert answer.headers["Cache-Control"] == "no-cache"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/assets/index-abc.js", "text/javascript; charset=utf-8"), ("/assets/font.woff2", "font/woff2")],
)
def test_a_built_file_is_served_with_its_type_and_cached_for_good(build, path, content_type):
    answer = web.answer(build, path)
    assert (answer.status, answer.headers["Content-Type"]) == (200, content_type)
    assert "immutable" in answer.headers["Cache-Control"]


def test_a_missing_bundle_is_404_not_the_page(build):
    answer = web.answer(build, "/assets/index-old.js")
    assert answer.status == 404 and answer.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "//etc/passwd"]
)
def test_nothing_outside_the_build_is_served(build, path):
    answer = web.answer(build, path)
    assert b"outside the build" not in answer.body
    assert answer.body in ((build / "index.html").read_bytes(), web.NOT_FOUND)


def test_a_stack_without_a_build_says_how_to_make_one(tmp_path):
    answer = web.answer(tmp_path / "dist", "/")
    assert answer.status == 503 and b"make run" in answer.body


def test_the_local_page_may_frame_and_show_files_from_the_aws_stand_in_only(build, monkeypatch):
    # GIVEN the local stack, whose buckets are all the AWS stand-in's
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999/")

    policy = web.answer(build, "/staff/proxy-requests/abc").headers["Content-Security-Policy"]

    # THEN staff's document frames and images may come from it, and from nowhere else
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["frame-src"] == ["http://127.0.0.1:5999"]
    assert directives["img-src"] == ["'self'", "data:", "https:", "http://127.0.0.1:5999"]
    assert directives["object-src"] == ["'none'"]


def test_without_a_bucket_origin_nothing_may_be_framed(build, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    policy = web.answer(build, "/").headers["Content-Security-Policy"]
    assert "frame-src 'none'" in policy and "img-src 'self' data: https:;" in policy
