"""Notification requests: strict validation, fixed templates, each owning its one link into the
portal (into which only an opaque token may go), no PHI."""

from __future__ import annotations

import pytest

from chalicelib.errors import ValidationFailed
from chalicelib.notifications import service
from chalicelib.notifications.domain import TEMPLATES, NotificationRequest
from tests.unit.fakes import FakeMailer

BASE_URL = "https://portal.example.org"
TOKEN = "Tk_9f8e7d6c-5b4a3210"  # 20 characters from [A-Za-z0-9_-]
VALID = {"notification_id": "n-1", "template": "something_waiting", "to_address": "pat@example.org"}
INVITATION = {**VALID, "template": "invitation", "token": TOKEN}
TOKENLESS = sorted(name for name, template in TEMPLATES.items() if "{token}" not in template.path)


def problems(message) -> list[dict]:
    with pytest.raises(ValidationFailed) as caught:
        NotificationRequest.from_message(message)
    return caught.value.details


def invalid_fields(message) -> list[str]:
    return [detail["field"] for detail in problems(message)]


def request(**changes) -> NotificationRequest:
    return NotificationRequest.from_message({**VALID, **changes})


def invitation(**changes) -> NotificationRequest:
    return NotificationRequest.from_message({**INVITATION, **changes})


def message_for(template: str, **changes) -> dict:
    base = INVITATION if template == "invitation" else {**VALID, "template": template}
    return {**base, **changes}


def expected_link(template: str, token: str = TOKEN, base_url: str = BASE_URL) -> str:
    return base_url.rstrip("/") + TEMPLATES[template].path.replace("{token}", token)


# --- templates own their links ---------------------------------------------------------------


def test_each_template_owns_its_path():
    # GIVEN the template vocabulary / THEN each link is fixed by the template, and only the
    # invitation takes a token
    assert {name: template.path for name, template in TEMPLATES.items()} == {
        "account_ready": "/", "invitation": "/invitations/{token}", "something_waiting": "/"}
    assert TOKENLESS == ["account_ready", "something_waiting"]


# --- validation ------------------------------------------------------------------------------


def test_valid_message_becomes_a_request():
    # GIVEN a valid request for a template without a token / THEN it carries no token and links home
    assert request() == NotificationRequest("n-1", "something_waiting", "pat@example.org")
    assert request().token == ""
    assert request().link_path == "/"


def test_valid_invitation_becomes_a_request_with_its_token():
    # GIVEN a valid invitation / THEN its token goes into the template's path, nothing else does
    assert invitation() == NotificationRequest("n-1", "invitation", "pat@example.org", TOKEN)
    assert invitation().link_path == f"/invitations/{TOKEN}"


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_link_path_is_derived_from_the_template(template):
    built = NotificationRequest.from_message(message_for(template))
    assert built.link_path == TEMPLATES[template].path.replace("{token}", TOKEN)


@pytest.mark.parametrize("changes, field", [
    ({"notification_id": ""}, "notification_id"),
    ({"notification_id": "   "}, "notification_id"),
    ({"notification_id": "n 1"}, "notification_id"),
    ({"notification_id": "n/1"}, "notification_id"),
    ({"notification_id": "a" * 129}, "notification_id"),
    ({"template": "results_ready"}, "template"),
    ({"template": None}, "template"),
    ({"to_address": "not-an-email"}, "to_address"),
    ({"to_address": "two@@example.org"}, "to_address"),
    ({"to_address": "pat@example.org, boss@example.org"}, "to_address"),
    ({"to_address": ""}, "to_address"),
])
def test_invalid_field_is_refused_and_named(changes, field):
    assert field in invalid_fields({**VALID, **changes})


@pytest.mark.parametrize("notification_id", ["n", "a" * 128, "order-17.v2_retry"], ids=["one", "128", "mixed"])
def test_notification_id_within_the_pattern_is_accepted(notification_id):
    assert request(notification_id=notification_id).notification_id == notification_id


@pytest.mark.parametrize("link_path", ["/", "/inbox/messages", "https://evil.example/x", "//evil.example",
                                       "javascript:alert(1)", "/inbox\"><script>", ""])
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_link_path_from_a_producer_is_not_accepted(template, link_path):
    # GIVEN a producer that tries to choose where the link goes, even to a harmless path
    details = problems(message_for(template, link_path=link_path))
    # THEN it is refused as a field not accepted
    assert {"field": "link_path", "issue": "not accepted"} in details


def test_missing_notification_id_is_refused():
    message = {k: v for k, v in VALID.items() if k != "notification_id"}
    assert invalid_fields(message) == ["notification_id"]


@pytest.mark.parametrize("extra", ["patient_name", "body", "subject", "text", "html", "lab_result",
                                   "link_path", "url", "link"])
def test_unknown_fields_are_refused_so_no_free_text_reaches_an_email(extra):
    # GIVEN a request that tries to carry its own text or link
    details = problems({**VALID, extra: "Jane Doe, your HIV test is positive"})
    # THEN it is refused, naming the field
    assert {"field": extra, "issue": "not accepted"} in details


def test_every_problem_is_listed_at_once():
    # GIVEN a request wrong in every field, with two fields not accepted
    details = problems({"template": "invitation", "token": "short", "to_address": "x", "link_path": "//evil",
                        "body": "hi"})
    # THEN each problem is named in one answer, unknown fields together
    assert {d["field"] for d in details} == {"notification_id", "to_address", "token", "body,link_path"}
    assert {"field": "body,link_path", "issue": "not accepted"} in details
    # AND an unknown template is listed with the rest
    assert {"notification_id", "template", "to_address", "link_path"} <= set(
        invalid_fields({"template": "nope", "to_address": "x", "link_path": "/"}))


@pytest.mark.parametrize("message", [None, [], "notification", 42])
def test_non_object_is_refused(message):
    with pytest.raises(ValidationFailed):
        NotificationRequest.from_message(message)


@pytest.mark.parametrize("template", [["account_ready"], {"name": "account_ready"}], ids=["list", "object"])
def test_non_string_template_is_refused(template):
    assert "template" in invalid_fields({**VALID, "template": template})


def test_null_notification_id_is_refused():
    assert "notification_id" in invalid_fields({**VALID, "notification_id": None})


@pytest.mark.parametrize("changes", [{"to_address": "pat@example.org\n"}, {"notification_id": "n-1\n"},
                                     {"token": TOKEN + "\n"}], ids=["to_address", "notification_id", "token"])
def test_trailing_newline_is_refused(changes):
    assert list(changes) == invalid_fields({**INVITATION, **changes})


# --- the token -------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", 1234567890123456789, ["a" * 20]], ids=["null", "empty", "number", "list"])
def test_invitation_without_a_string_token_is_refused(token):
    assert invalid_fields({**INVITATION, "token": token}) == ["token"]


def test_invitation_with_no_token_field_is_refused():
    message = {k: v for k, v in INVITATION.items() if k != "token"}
    assert invalid_fields(message) == ["token"]


@pytest.mark.parametrize("token", ["a" * 15, "x"], ids=["15", "1"])
def test_token_too_short_is_refused(token):
    assert invalid_fields({**INVITATION, "token": token}) == ["token"]


def test_token_too_long_is_refused():
    assert invalid_fields({**INVITATION, "token": "a" * 129}) == ["token"]


@pytest.mark.parametrize("token", [
    "abcdefgh/ijklmnop", "../../admin/users", "abcdefgh.ijklmnop", "abcdefgh ijklmnop", "abcdefgh%2Fijklmnop",
    "abcdefgh?next=evil", "abcdefgh#ijklmnop", "abcdefgh\"><script>", "abcdéfghijklmnopq", "https://evil.example/x",
], ids=["slash", "dot-dot", "dot", "space", "percent", "query", "fragment", "html", "accent", "url"])
def test_token_with_characters_outside_the_pattern_is_refused(token):
    # GIVEN a token that could steer or break the link / THEN it is refused, naming the token
    assert invalid_fields({**INVITATION, "token": token}) == ["token"]


@pytest.mark.parametrize("token", ["a" * 16, "Z9_-" * 32], ids=["16", "128"])
def test_token_at_the_length_bounds_is_accepted(token):
    assert invitation(token=token).token == token


@pytest.mark.parametrize("token", [TOKEN, ""], ids=["valid-looking", "empty"])
@pytest.mark.parametrize("template", TOKENLESS)
def test_template_without_a_token_refuses_one(template, token):
    # GIVEN a token on a template whose link takes none
    details = problems({**VALID, "template": template, "token": token})
    # THEN it is refused, naming the token
    assert [d["field"] for d in details] == ["token"]
    assert "no token" in details[0]["issue"]


# --- rendering and sending -------------------------------------------------------------------


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_rendered_email_links_once_into_the_portal_with_the_template_subject(template):
    # GIVEN a valid request for each template
    subject, text, html = service.render(NotificationRequest.from_message(message_for(template)), BASE_URL)
    link = expected_link(template)
    # THEN the subject and wording are the template's, and the template's link appears exactly once
    assert subject == TEMPLATES[template].subject
    assert text.count(link) == 1
    assert html.count(link) == 1
    assert f'href="{link}"' in html
    assert text.count(BASE_URL) == html.count(BASE_URL) == 1
    for line in TEMPLATES[template].lines:
        assert line in text
    assert TEMPLATES[template].action in html


def test_invitation_link_carries_the_token_once_and_nowhere_else():
    subject, text, html = service.render(invitation(), BASE_URL)
    assert f"{BASE_URL}/invitations/{TOKEN}" in text
    assert f'href="{BASE_URL}/invitations/{TOKEN}"' in html
    assert text.count(TOKEN) == html.count(TOKEN) == 1
    assert TOKEN not in subject


def test_base_url_with_trailing_slash_does_not_double_the_slash():
    _, text, html = service.render(invitation(), BASE_URL + "/")
    assert f"{BASE_URL}/invitations/{TOKEN}" in text and f"{BASE_URL}//invitations" not in text
    assert f'href="{BASE_URL}/invitations/{TOKEN}"' in html
    _, text, html = service.render(request(), BASE_URL + "/")
    assert f"{BASE_URL}/" in text and f"{BASE_URL}//" not in text
    assert f'href="{BASE_URL}/"' in html


def test_link_is_html_escaped():
    # GIVEN a configured base URL with characters that mean something in HTML
    base_url = "https://portal.example.org/a=1&b='2'"
    _, text, html = service.render(invitation(), base_url)
    # THEN the HTML carries them escaped, the plain text as they are
    assert f"https://portal.example.org/a=1&amp;b=&#x27;2&#x27;/invitations/{TOKEN}" in html
    assert "&b=" not in html
    assert f"{base_url}/invitations/{TOKEN}" in text


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_email_carries_nothing_from_the_request_but_the_token(template):
    # GIVEN two requests that differ only in the id and address
    first = service.render(NotificationRequest.from_message(
        message_for(template, notification_id="notif-4711", to_address="jane.doe@clinic.example")), BASE_URL)
    second = service.render(NotificationRequest.from_message(
        message_for(template, notification_id="n-2", to_address="b@example.org")), BASE_URL)
    # THEN the emails are identical: no id or address is written into them
    assert first == second
    for part in first:
        assert "notif-4711" not in part and "jane.doe" not in part and "clinic.example" not in part


def test_invitations_differ_only_in_their_token():
    # GIVEN two invitations with different tokens
    other = "Other-token_0123456789"
    first = service.render(invitation(), BASE_URL)
    second = service.render(invitation(token=other), BASE_URL)
    # THEN the token is the only request value in the email
    assert first != second
    assert tuple(part.replace(TOKEN, other) for part in first) == second


def test_send_hands_the_rendered_email_to_the_mailer_and_returns_its_id():
    # GIVEN a mailer
    mailer = FakeMailer()
    # WHEN an invitation is sent
    ses_id = service.send(invitation(), mailer=mailer, public_base_url=BASE_URL)
    # THEN the mailer's id comes back and exactly one email went to the address, linking to the invitation
    assert ses_id == "ses-0001"
    [email] = mailer.sent
    assert email.to_address == "pat@example.org"
    assert (email.subject, email.text, email.html) == service.render(invitation(), BASE_URL)
    assert f'href="{BASE_URL}/invitations/{TOKEN}"' in email.html
