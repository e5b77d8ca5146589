"""The local stack's host check (infra/local/hosts.py): what a DNS-rebinding page sends is refused,
what the developer's tools and the app's own AWS clients send is not. (Over real HTTP, on both
servers: tests/e2e/test_local_portal.py.)"""

from __future__ import annotations

import pytest

from infra.local.hosts import REFUSAL_BODY, allowed_names_from, host_checked, host_guard

GUARD = host_guard("127.0.0.1", 8000)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:8000",
        "localhost:8000",
        "[::1]:8000",
        "LocalHost:8000",  # names are case-insensitive
        "localhost",  # no port: the default for the scheme, never a page's other origin
        " 127.0.0.1:8000 ",
    ],
)
def test_the_machines_own_names_are_answered(host):
    assert GUARD.allows(host)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:8000",  # a rebinding page's own name
        "evil.example",
        "127.0.0.1.evil.example:8000",
        "localhost.evil.example:8000",
        "localhost:5000",  # the other server's port
        "localhost:8000:8000",
        "localhost:8000@evil.example",
        "localhost:8000, evil.example",
        "[::1]evil:8000",
        "::1:8000",
        "0.0.0.0:8000",
        "",
        None,  # no Host at all
    ],
)
def test_any_other_host_is_refused(host):
    assert not GUARD.allows(host)


def test_a_stack_bound_elsewhere_answers_for_its_address_and_the_names_it_is_given():
    lan = host_guard("192.168.1.20", 8000, allowed_names_from(" devbox.lan ,,Portal.Test"))
    assert lan.allows("192.168.1.20:8000") and lan.allows("devbox.lan:8000") and lan.allows("portal.test")
    assert lan.allows("127.0.0.1:8000")
    assert not lan.allows("192.168.1.21:8000")

    everywhere = host_guard("0.0.0.0", 8000)  # every interface: no request names 0.0.0.0
    assert not everywhere.allows("0.0.0.0:8000") and everywhere.allows("localhost:8000")

    ipv6 = host_guard("fd00::5", 8000)
    assert ipv6.allows("[fd00::5]:8000") and not ipv6.allows("fd00::5")


def test_the_aws_stand_in_refuses_another_host_before_moto_sees_it():
    seen = []

    def moto(environ, start_response):
        seen.append(environ["HTTP_HOST"])
        start_response("200 OK", [])
        return [b"moto"]

    guarded = host_checked(moto, host_guard("127.0.0.1", 5000))
    answers = []

    def start_response(status, headers):
        answers.append((status, dict(headers)))

    refused = guarded({"HTTP_HOST": "evil.example:5000"}, start_response)
    passed = guarded({"HTTP_HOST": "localhost:5000"}, start_response)  # moto's Step Functions executor

    assert refused == [REFUSAL_BODY] and passed == [b"moto"]
    assert seen == ["localhost:5000"]
    assert answers[0][0] == "421 Misdirected Request"
    assert answers[0][1]["Content-Type"].startswith("text/plain")
    assert answers[0][1]["Content-Length"] == str(len(REFUSAL_BODY))
