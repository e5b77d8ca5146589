"""Which ``aud`` an app may send: the FHIR base under each name the portal answers for.

The local stack answers on 127.0.0.1 and localhost alike, so an app configured with either name
must be let in; a deployed portal is known by its one public name and nothing else counts."""

from __future__ import annotations

from chalicelib.apps.oauth.server import accepted_audiences


def test_the_local_stack_accepts_its_fhir_base_under_both_loopback_names():
    expected = {"http://127.0.0.1:8000/fhir/R4", "http://localhost:8000/fhir/R4"}
    assert accepted_audiences("http://127.0.0.1:8000") == expected
    assert accepted_audiences("http://localhost:8000/") == expected


def test_a_deployed_portal_accepts_only_its_public_base():
    assert accepted_audiences("https://portal.example.org") == {"https://portal.example.org/fhir/R4"}


def test_another_port_or_host_is_not_this_server():
    accepted = accepted_audiences("http://127.0.0.1:8000")
    assert "http://localhost:9000/fhir/R4" not in accepted
    assert "http://evil.example:8000/fhir/R4" not in accepted
