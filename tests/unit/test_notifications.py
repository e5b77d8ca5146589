"""Notification requests: strict validation, fixed templates, one link into the portal, no PHI."""

from __future__ import annotations

import pytest

from chalicelib.errors import ValidationFailed
from chalicelib.notifications import service
from chalicelib.notifications.domain import TEMPLATES, NotificationRequest
from tests.unit.fakes import FakeMailer

BASE_URL = "https://portal.example.org"
VALID = {"notification_id": "n-1", "template": "something_waiting", "to_address": "pat@example.org",
         "link_path": "/inbox/messages"}


def invalid_fields(message) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        NotificationRequest.from_message(message)
    return [detail["field"] for detail in caught.value.details]


def request(**changes) -> NotificationRequest:
    return NotificationRequest.from_message({**VALID, **changes})


# --- validation ------------------------------------------------------------------------------


def test_valid_message_becomes_a_request():
    assert request() == NotificationRequest("n-1", "something_waiting", "pat@example.org", "/inbox/messages")


def test_link_path_defaults_to_the_portal_home():
    message = {k: v for k, v in VALID.items() if k != "link_path"}
    assert NotificationRequest.from_message(message).link_path == "/"


@pytest.mark.parametrize("changes, field", [
    ({"notification_id": ""}, "notification_id"),
    ({"notification_id": "   "}, "notification_id"),
    ({"template": "results_ready"}, "template"),
    ({"template": None}, "template"),
    ({"to_address": "not-an-email"}, "to_address"),
    ({"to_address": "two@@example.org"}, "to_address"),
    ({"to_address": "pat@example.org, boss@example.org"}, "to_address"),
    ({"to_address": ""}, "to_address"),
    ({"link_path": "https://evil.example/x"}, "link_path"),
    ({"link_path": "//evil.example"}, "link_path"),
    ({"link_path": "//evil.example/inbox"}, "link_path"),
    ({"link_path": "inbox"}, "link_path"),
    ({"link_path": "javascript:alert(1)"}, "link_path"),
    ({"link_path": "/inbox\"><script>"}, "link_path"),
    ({"link_path": "/in box"}, "link_path"),
    ({"link_path": "/" + "a" * 1024}, "link_path"),
])
def test_invalid_field_is_refused_and_named(changes, field):
    assert field in invalid_fields({**VALID, **changes})


def test_missing_notification_id_is_refused():
    message = {k: v for k, v in VALID.items() if k != "notification_id"}
    assert invalid_fields(message) == ["notification_id"]


@pytest.mark.parametrize("extra", ["patient_name", "body", "subject", "text", "html", "lab_result"])
def test_unknown_fields_are_refused_so_no_free_text_reaches_an_email(extra):
    # GIVEN a request that tries to carry its own text
    fields = invalid_fields({**VALID, extra: "Jane Doe, your HIV test is positive"})
    # THEN it is refused, naming the field
    assert any(extra in field for field in fields)


def test_every_problem_is_listed_at_once():
    fields = invalid_fields({"template": "nope", "to_address": "x", "link_path": "//evil", "body": "hi"})
    assert {"notification_id", "template", "to_address", "link_path", "body"} <= set(fields)


@pytest.mark.parametrize("message", [None, [], "notification", 42])
def test_non_object_is_refused(message):
    with pytest.raises(ValidationFailed):
        NotificationRequest.from_message(message)


@pytest.mark.parametrize("template", [["account_ready"], {"name": "account_ready"}], ids=["list", "object"])
def test_non_string_template_is_refused(template):
    assert "template" in invalid_fields({**VALID, "template": template})


def test_null_notification_id_is_refused():
    assert "notification_id" in invalid_fields({**VALID, "notification_id": None})


@pytest.mark.parametrize("changes", [{"to_address": "pat@example.org\n"}, {"link_path": "/inbox\n"}],
                         ids=["to_address", "link_path"])
def test_trailing_newline_is_refused(changes):
    assert list(changes) == invalid_fields({**VALID, **changes})


# --- rendering and sending -------------------------------------------------------------------


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_rendered_email_links_once_into_the_portal_with_the_template_subject(template):
    # GIVEN a valid request for each template
    subject, text, html = service.render(request(template=template), BASE_URL)
    link = BASE_URL + "/inbox/messages"
    # THEN the subject and wording are the template's, and the link appears exactly once
    assert subject == TEMPLATES[template].subject
    assert text.count(link) == 1
    assert html.count(link) == 1
    assert f'href="{link}"' in html
    for line in TEMPLATES[template].lines:
        assert line in text
    assert TEMPLATES[template].action in html


def test_base_url_with_trailing_slash_does_not_double_the_slash():
    _, text, html = service.render(request(link_path="/inbox"), BASE_URL + "/")
    assert f"{BASE_URL}/inbox" in text and f"{BASE_URL}//inbox" not in text
    assert f'href="{BASE_URL}/inbox"' in html


def test_link_is_html_escaped():
    # GIVEN a link path with characters that mean something in HTML
    _, text, html = service.render(request(link_path="/inbox?a=1&b='2'"), BASE_URL)
    # THEN the HTML carries them escaped, the plain text as they are
    assert f"{BASE_URL}/inbox?a=1&amp;b=&#x27;2&#x27;" in html
    assert "&b=" not in html
    assert f"{BASE_URL}/inbox?a=1&b='2'" in text


def test_email_carries_nothing_from_the_request_but_the_link():
    # GIVEN two requests that differ only in the id and address
    first = service.render(request(notification_id="n-1", to_address="a@example.org"), BASE_URL)
    second = service.render(request(notification_id="n-2", to_address="b@example.org"), BASE_URL)
    # THEN the emails are identical: no id or address is written into them
    assert first == second


def test_send_hands_the_rendered_email_to_the_mailer_and_returns_its_id():
    # GIVEN a mailer
    mailer = FakeMailer()
    # WHEN a request is sent
    ses_id = service.send(request(template="invitation", link_path="/invite/abc"), mailer=mailer,
                          public_base_url=BASE_URL)
    # THEN the mailer's id comes back and exactly one email went to the address
    assert ses_id == "ses-0001"
    [email] = mailer.sent
    assert email.to_address == "pat@example.org"
    assert (email.subject, email.text, email.html) == service.render(request(template="invitation",
                                                                             link_path="/invite/abc"), BASE_URL)
