"""Notification requests: strict validation, fixed templates, each owning its words and its one
link into the portal; a request carries exactly the parameters its template declares, each
checked against its pattern (an opaque token for the link, a user name or a one-time code for
the text), and nothing else: no PHI."""

from __future__ import annotations

import dataclasses
import html as htmllib
import re
from datetime import datetime, timezone

import pytest

from chalicelib.errors import ValidationFailed
from chalicelib.notifications import domain, service
from chalicelib.notifications.consumer import PAYLOAD_JMESPATH
from chalicelib.notifications.domain import FIELDS, PARAMS, TEMPLATES, InboxItem, NotificationRequest, Template
from chalicelib.notifications.sealing import SEALED
from tests.unit.fakes import FakeMailer

BASE_URL = "https://portal.example.org"
TOKEN = "Tk_9f8e7d6c-5b4a3210"  # 20 characters from [A-Za-z0-9_-]
USERNAME = "river.stone42"
CODE = "042917"
VALUES = {
    "token": TOKEN,
    "username": USERNAME,
    "code": CODE,
    "lifetime": "7 days",
    "reference": "SR-1A2B3C4D",
    "support_request": "0123456789abcdef0123456789abcdef",
}
OTHER_VALUES = {
    "token": "Other-token_0123456789",
    "username": "m.lake@home-7",
    "code": "990013",
    "lifetime": "36 hours",
    "reference": "SR-99887766",
    "support_request": "fedcba9876543210fedcba9876543210",
}
VALID = {"notification_id": "n-1", "template": "something_waiting", "to_address": "pat@example.org"}
INVITATION = {**VALID, "template": "invitation", "token": TOKEN, "lifetime": "7 days"}
TOKENLESS = sorted(name for name, template in TEMPLATES.items() if "token" not in template.params)
# (template, parameter) pairs: each parameter a template declares, and each it does not take
DECLARED = [(name, param) for name, template in sorted(TEMPLATES.items()) for param in template.params]
UNDECLARED = [
    (name, param) for name, template in sorted(TEMPLATES.items()) for param in PARAMS if param not in template.params
]


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


def message_for(template: str, values: dict[str, str] = VALUES, **changes) -> dict:
    """A valid message for ``template``: its declared parameters, from ``values``, and no others."""
    params = {name: values[name] for name in TEMPLATES[template].params}
    return {**VALID, "template": template, **params, **changes}


def rendered(template: str, values: dict[str, str] = VALUES, base_url: str = BASE_URL, **changes):
    return service.render(NotificationRequest.from_message(message_for(template, values, **changes)), base_url)


def expected_link(template: str, values: dict[str, str] = VALUES, base_url: str = BASE_URL) -> str:
    return base_url.rstrip("/") + domain.fill(TEMPLATES[template].path, values)


# --- templates own their links and words -----------------------------------------------------


def test_each_template_owns_its_path_and_declares_its_params():
    # GIVEN the template vocabulary / THEN each link is fixed by the template, and each template
    # says which parameters it takes
    assert {name: (template.path, template.params) for name, template in TEMPLATES.items()} == {
        "account_ready": ("/", ()),
        "proxy_new_item": ("/", ()),
        "new_message": ("/messages", ()),
        "care_team_message_waiting": ("/staff/messages", ()),
        "invitation": ("/enroll?code={token}", ("token", "lifetime")),
        "proxy_invitation": ("/enroll?code={token}", ("token", "lifetime")),
        "proxy_trusted_invitation": ("/proxy-invitation#code={token}", ("token", "lifetime")),
        "support_request_waiting": ("/staff/support/{support_request}", ("reference", "support_request")),
        "support_request_received": ("/", ("reference",)),
        "something_waiting": ("/", ()),
        "care_team_will_call": ("/", ()),
        "contact_email_confirmation": ("/confirm-contact-email?token={token}", ("token",)),
        "email_verification": ("/verify-email?token={token}", ("token",)),
        "password_reset": ("/reset-password?token={token}", ("token",)),
        "account_setup": ("/account-setup?token={token}", ("token",)),
        "username_reminder": ("/", ("username",)),
        "sign_in_code": ("/", ("code",)),
        "account_locked": ("/", ()),
        "sign_in_unlock": ("/sign-in/continue?challenge={token}", ("token", "code")),
        "password_changed": ("/", ()),
        "email_changed": ("/", ()),
        "second_factor_changed": ("/", ()),
        "portal_access_suspended": ("/", ()),
        "portal_access_ended": ("/", ()),
        "refill_request_decided": ("/medications", ()),
        "appointment_reminder": ("/appointments", ()),
        "appointment_request_update": ("/appointments", ()),
        "proxy_access_update": ("/proxy-requests", ()),
        "proxy_request_update": ("/proxy-requests", ()),
        "proxy_access_asked": ("/sharing", ()),
        "record_export_ready": ("/records/download", ()),
    }


def test_the_parameters_and_their_patterns_are_a_fixed_set():
    assert {name: param.pattern.pattern for name, param in PARAMS.items()} == {
        "token": "[A-Za-z0-9_-]{16,128}",
        "username": "[a-z0-9][a-z0-9._@-]{2,63}",
        "code": "[0-9]{6}",
        "lifetime": "[1-9][0-9]{0,4} (minute|hour|day)s?",
        "reference": "SR-[0-9A-F]{8}",
        "support_request": "[0-9a-f]{32}",
    }
    # AND only opaque values may go into a link (a token, a support request's id); a user name, a
    # code or a reference number only into the words
    assert [name for name, param in PARAMS.items() if param.in_link] == ["token", "support_request"]


def test_request_fields_are_the_fixed_fields_and_the_parameters():
    assert FIELDS == (
        "notification_id",
        "template",
        "to_address",
        "token",
        "username",
        "code",
        "lifetime",
        "reference",
        "support_request",
        "account_id",
        "released_at",
    )
    assert FIELDS == tuple(field.name for field in dataclasses.fields(NotificationRequest))
    assert FIELDS[3:9] == tuple(PARAMS)


def test_a_reused_id_is_checked_against_every_other_field_with_the_parameters_sealed():
    # GIVEN the idempotency payload check / THEN it covers every field but the id and the release
    # time (a later release of the same ten minutes is the same notice), the parameters as queued
    # (sealed): a stored hash of an opened six-digit code could be reversed
    assert PAYLOAD_JMESPATH == "[template, to_address, sealed, account_id]"
    queued = [name for name in FIELDS[1:] if name not in PARAMS and name != "released_at"]
    queued.insert(queued.index("account_id"), SEALED)
    assert PAYLOAD_JMESPATH == "[" + ", ".join(queued) + "]"


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_template_words_name_no_condition_test_or_clinic(template):
    # GIVEN each template's fixed words / THEN none names a kind of care, a result or a place
    words = " ".join([TEMPLATES[template].subject, *TEMPLATES[template].lines, TEMPLATES[template].action])
    if TEMPLATES[template].path == "/appointments":
        # That an appointment is coming up is what a reminder is for; when, where, with whom or
        # what for it still never says (the words below stay banned, "visit" with them).
        words = re.sub(r"\bappointments?\b", "", words, flags=re.IGNORECASE)
    banned = (
        r"\b(result|test|lab|diagnos\w*|condition|medication|prescription|appointment|visit|doctor|"
        r"clinician|clinic|hospital|hiv|cancer|pregnan\w*|mental)s?\b"
    )
    assert re.search(banned, words, re.IGNORECASE) is None


@pytest.mark.parametrize(
    "changes, fault",
    [
        ({"path": "/x/{username}", "params": ("username",), "lines": ("hi",)}, "user name in the link"),
        ({"lines": ("Your code is {code}.",)}, "undeclared placeholder in the words"),
        ({"path": "/x/{token}"}, "undeclared placeholder in the link"),
        ({"params": ("code",)}, "declared but never shown"),
        ({"params": ("token",), "path": "/", "lines": ("{token}",)}, "token in the words"),
        ({"params": ("password",), "lines": ("{password}",)}, "unknown parameter"),
        ({"params": ("code", "code"), "lines": ("{code}",)}, "declared twice"),
        ({"params": ("code",), "subject": "Code {code}", "lines": ("{code}",)}, "placeholder in the subject"),
        ({"action": "Open {code}", "params": ("code",), "lines": ("{code}",)}, "placeholder in the action"),
        ({"lines": ("a stray { brace",)}, "stray brace"),
        ({"lines": ("{}",)}, "empty placeholder"),
        ({"path": "https://evil.example/"}, "link out of the portal"),
        ({"path": "//evil.example/"}, "protocol-relative link"),
    ],
)
def test_a_template_that_misuses_its_parameters_cannot_be_declared(changes, fault):
    # GIVEN a template whose words or link would leave a placeholder, take a value it never
    # shows, or put a value where it does not belong / THEN it fails where it is declared
    declared = {"subject": "Subject", "lines": ("Words.",), "action": "Open the portal", "path": "/", **changes}
    with pytest.raises(ValueError):
        Template(**declared)


# --- validation ------------------------------------------------------------------------------


def test_valid_message_becomes_a_request():
    # GIVEN a valid request for a template without parameters / THEN it carries none and links home
    assert request() == NotificationRequest("n-1", "something_waiting", "pat@example.org")
    assert (request().token, request().username, request().code) == ("", "", "")
    assert request().params == {}
    assert request().link_path == "/"


def test_valid_invitation_becomes_a_request_with_its_token():
    # GIVEN a valid invitation / THEN its token goes into the template's path, nothing else does
    assert invitation() == NotificationRequest("n-1", "invitation", "pat@example.org", TOKEN, lifetime="7 days")
    assert invitation().params == {"token": TOKEN, "lifetime": "7 days"}
    assert invitation().link_path == f"/enroll?code={TOKEN}"


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_each_template_takes_exactly_its_params(template):
    built = NotificationRequest.from_message(message_for(template))
    assert built.params == {name: VALUES[name] for name in TEMPLATES[template].params}
    for name in PARAMS:
        assert getattr(built, name) == (VALUES[name] if name in TEMPLATES[template].params else "")


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_link_path_is_derived_from_the_template(template):
    built = NotificationRequest.from_message(message_for(template))
    assert built.link_path == domain.fill(TEMPLATES[template].path, VALUES)
    assert "{" not in built.link_path and "}" not in built.link_path


@pytest.mark.parametrize(
    "changes, field",
    [
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
    ],
)
def test_invalid_field_is_refused_and_named(changes, field):
    assert field in invalid_fields({**VALID, **changes})


@pytest.mark.parametrize("notification_id", ["n", "a" * 128, "order-17.v2_retry"], ids=["one", "128", "mixed"])
def test_notification_id_within_the_pattern_is_accepted(notification_id):
    assert request(notification_id=notification_id).notification_id == notification_id


@pytest.mark.parametrize(
    "link_path",
    ["/", "/inbox/messages", "https://evil.example/x", "//evil.example", "javascript:alert(1)", '/inbox"><script>', ""],
)
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_link_path_from_a_producer_is_not_accepted(template, link_path):
    # GIVEN a producer that tries to choose where the link goes, even to a harmless path
    details = problems(message_for(template, link_path=link_path))
    # THEN it is refused as a field not accepted
    assert {"field": "link_path", "issue": "not accepted"} in details


def test_missing_notification_id_is_refused():
    message = {k: v for k, v in VALID.items() if k != "notification_id"}
    assert invalid_fields(message) == ["notification_id"]


@pytest.mark.parametrize(
    "extra",
    [
        "patient_name",
        "body",
        "subject",
        "text",
        "html",
        "lab_result",
        "link_path",
        "url",
        "link",
        "lines",
        "params",
        "first_name",
    ],
)
def test_unknown_fields_are_refused_so_no_free_text_reaches_an_email(extra):
    # GIVEN a request that tries to carry its own text or link
    details = problems({**VALID, extra: "Jane Doe, your HIV test is positive"})
    # THEN it is refused, naming the field
    assert {"field": extra, "issue": "not accepted"} in details


def test_every_problem_is_listed_at_once():
    # GIVEN a request wrong in every field, with two fields not accepted
    details = problems(
        {
            "template": "invitation",
            "token": "short",
            "to_address": "x",
            "link_path": "//evil",
            "body": "hi",
            "code": "123456",
        }
    )
    # THEN each problem is named in one answer, unknown fields together
    assert {d["field"] for d in details} == {
        "notification_id",
        "to_address",
        "token",
        "lifetime",
        "code",
        "body,link_path",
    }
    assert {"field": "body,link_path", "issue": "not accepted"} in details
    # AND an unknown template is listed with the rest
    assert {"notification_id", "template", "to_address", "link_path"} <= set(
        invalid_fields({"template": "nope", "to_address": "x", "link_path": "/"})
    )


@pytest.mark.parametrize("message", [None, [], "notification", 42])
def test_non_object_is_refused(message):
    with pytest.raises(ValidationFailed):
        NotificationRequest.from_message(message)


@pytest.mark.parametrize("template", [["account_ready"], {"name": "account_ready"}], ids=["list", "object"])
def test_non_string_template_is_refused(template):
    assert "template" in invalid_fields({**VALID, "template": template})


def test_null_notification_id_is_refused():
    assert "notification_id" in invalid_fields({**VALID, "notification_id": None})


@pytest.mark.parametrize(
    "template, field",
    [
        ("invitation", "to_address"),
        ("invitation", "notification_id"),
        ("invitation", "token"),
        ("username_reminder", "username"),
        ("sign_in_code", "code"),
    ],
)
def test_trailing_newline_is_refused(template, field):
    message = message_for(template)
    assert invalid_fields({**message, field: message[field] + "\n"}) == [field]


# --- parameters: exactly the declared ones ---------------------------------------------------


@pytest.mark.parametrize("template, param", DECLARED)
def test_a_missing_declared_param_is_refused_and_named(template, param):
    # GIVEN a request without a parameter its template declares
    message = {k: v for k, v in message_for(template).items() if k != param}
    details = problems(message)
    # THEN it is refused, with one entry naming it and saying what a valid value is
    assert [d["field"] for d in details] == [param]
    assert details[0]["issue"] == f"required: {PARAMS[param].shape}"


@pytest.mark.parametrize(
    "value", [None, "", 123456, ["a" * 20], {"v": "x"}], ids=["null", "empty", "number", "list", "object"]
)
@pytest.mark.parametrize("template, param", DECLARED)
def test_a_declared_param_that_is_not_a_string_is_refused(template, param, value):
    assert invalid_fields(message_for(template, **{param: value})) == [param]


@pytest.mark.parametrize("value", ["valid-looking", ""], ids=["valid-looking", "empty"])
@pytest.mark.parametrize("template, param", UNDECLARED)
def test_a_param_the_template_does_not_take_is_refused(template, param, value):
    # GIVEN a parameter, even a valid or empty one, on a template that does not declare it
    if value == "valid-looking":
        value = VALUES[param]
    details = problems(message_for(template, **{param: value}))
    # THEN it is refused, naming it
    assert details == [{"field": param, "issue": f"this template takes no {param}"}]


def test_a_username_and_a_code_together_are_refused_where_one_is_taken():
    details = problems(message_for("sign_in_code", username=USERNAME, token=TOKEN))
    assert [d["field"] for d in details] == ["token", "username"]


@pytest.mark.parametrize("template", TOKENLESS)
def test_template_without_a_token_refuses_one(template):
    details = problems({**message_for(template), "token": TOKEN})
    assert [d["field"] for d in details] == ["token"]
    assert "no token" in details[0]["issue"]


def test_a_request_built_directly_is_checked_too():
    # GIVEN code that builds a request without a message / THEN the same checks hold, so only
    # checked values can reach an email
    with pytest.raises(ValidationFailed) as caught:
        NotificationRequest("n-1", "username_reminder", "pat@example.org", username="<b>Jane Doe</b>")
    assert [d["field"] for d in caught.value.details] == ["username"]
    with pytest.raises(ValidationFailed) as caught:
        NotificationRequest("n-1", "something_waiting", "pat@example.org", code=CODE)
    assert caught.value.details == [{"field": "code", "issue": "this template takes no code"}]
    with pytest.raises(ValidationFailed):
        NotificationRequest("n-1", "sign_in_code", "pat@example.org")


# --- the token -------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["a" * 15, "x"], ids=["15", "1"])
def test_token_too_short_is_refused(token):
    assert invalid_fields({**INVITATION, "token": token}) == ["token"]


def test_token_too_long_is_refused():
    assert invalid_fields({**INVITATION, "token": "a" * 129}) == ["token"]


@pytest.mark.parametrize(
    "token",
    [
        "abcdefgh/ijklmnop",
        "../../admin/users",
        "abcdefgh.ijklmnop",
        "abcdefgh ijklmnop",
        "abcdefgh%2Fijklmnop",
        "abcdefgh?next=evil",
        "abcdefgh&next=evil",
        "abcdefgh#ijklmnop",
        'abcdefgh"><script>',
        "abcdéfghijklmnopq",
        "https://evil.example/x",
        "abcdefgh{code}ijklm",
    ],
    ids=[
        "slash",
        "dot-dot",
        "dot",
        "space",
        "percent",
        "query",
        "ampersand",
        "fragment",
        "html",
        "accent",
        "url",
        "placeholder",
    ],
)
@pytest.mark.parametrize("template", sorted(name for name, t in TEMPLATES.items() if "token" in t.params))
def test_token_with_characters_outside_the_pattern_is_refused(template, token):
    # GIVEN a token that could steer or break the link / THEN it is refused, naming the token
    assert invalid_fields(message_for(template, token=token)) == ["token"]


@pytest.mark.parametrize("token", ["a" * 16, "Z9_-" * 32], ids=["16", "128"])
def test_token_at_the_length_bounds_is_accepted(token):
    assert invitation(token=token).token == token


# --- the user name and the code --------------------------------------------------------------


@pytest.mark.parametrize(
    "username",
    ["abc", "a" * 64, "0day", "jane.doe", "j_doe-2", "pat@example.org"],
    ids=["3", "64", "digit-first", "dot", "underscore-dash", "email-like"],
)
def test_username_within_the_pattern_is_accepted(username):
    assert NotificationRequest.from_message(message_for("username_reminder", username=username)).username == username


@pytest.mark.parametrize(
    "username",
    [
        "ab",
        "a" * 65,
        ".jane",
        "-jane",
        "_jane",
        "@jane",
        "Jane.Doe",
        "jane doe",
        "jane<b>",
        "jane&co",
        "o'neil",
        'jane"doe',
        "jane{code}",
        "jané",
        "jane/doe",
        "jane\tdoe",
    ],
    ids=[
        "2",
        "65",
        "dot-first",
        "dash-first",
        "underscore-first",
        "at-first",
        "uppercase",
        "space",
        "angle",
        "ampersand",
        "quote",
        "double-quote",
        "placeholder",
        "accent",
        "slash",
        "tab",
    ],
)
def test_username_outside_the_pattern_is_refused(username):
    details = problems(message_for("username_reminder", username=username))
    assert details == [{"field": "username", "issue": f"required: {PARAMS['username'].shape}"}]


@pytest.mark.parametrize("code", ["000000", "123456", "999999"])
def test_code_of_six_digits_is_accepted(code):
    assert NotificationRequest.from_message(message_for("sign_in_code", code=code)).code == code


@pytest.mark.parametrize(
    "code",
    ["12345", "1234567", "12 456", "12345a", "١٢٣٤٥٦", "+12345", "-12345", "12345.", "0x1234"],
    ids=["5", "7", "space", "letter", "arabic-indic", "plus", "minus", "dot", "hex"],
)
def test_code_other_than_six_ascii_digits_is_refused(code):
    details = problems(message_for("sign_in_code", code=code))
    assert details == [{"field": "code", "issue": "required: 6 digits"}]


# --- rendering and sending -------------------------------------------------------------------


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_rendered_email_links_once_into_the_portal_with_the_template_subject(template):
    # GIVEN a valid request for each template
    subject, text, html = rendered(template)
    link = expected_link(template)
    # THEN the subject and wording are the template's, and the template's link appears exactly once
    assert subject == TEMPLATES[template].subject
    assert link.startswith(BASE_URL + "/")
    assert text.count(link) == 1
    assert html.count(htmllib.escape(link)) == 1
    assert f'href="{htmllib.escape(link)}"' in html
    assert text.count(BASE_URL) == html.count(BASE_URL) == 1
    for line in TEMPLATES[template].lines:
        assert domain.fill(line, VALUES) in text
        assert f"<p>{htmllib.escape(domain.fill(line, VALUES))}</p>" in html
    assert TEMPLATES[template].action in html
    # AND no placeholder is left unfilled
    for part in (subject, text, html):
        assert "{" not in part and "}" not in part


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_email_carries_only_its_templates_params(template):
    # GIVEN two requests for the template with different values for every parameter
    first = rendered(template, VALUES)
    second = rendered(template, OTHER_VALUES)
    declared = TEMPLATES[template].params
    # THEN the emails differ only in the template's own parameters, each where the template puts it
    assert first == tuple(_swap(part, {OTHER_VALUES[name]: VALUES[name] for name in declared}) for part in second)
    subject, text, html = first
    for name in PARAMS:
        if name not in declared:
            assert VALUES[name] not in text + html + subject
    # AND no parameter is in the subject; the token only in the link
    assert all(VALUES[name] not in subject for name in declared)
    if "token" in declared:
        assert text.count(TOKEN) == html.count(TOKEN) == 1
        assert expected_link(template) in text


def _swap(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    "template, line",
    [
        ("username_reminder", f"Your user name is {USERNAME}."),
        (
            "sign_in_code",
            f"Your sign-in code is {CODE}. It expires in 10 minutes. Nobody from the portal will ask you for it.",
        ),
    ],
)
def test_a_username_or_code_is_shown_in_the_text_and_the_html(template, line):
    subject, text, html = rendered(template)
    assert line in text.split("\n\n")
    assert f"<p>{htmllib.escape(line)}</p>" in html
    assert text.count(VALUES[TEMPLATES[template].params[0]]) == 1
    assert html.count(VALUES[TEMPLATES[template].params[0]]) == 1


def test_a_filled_line_is_escaped_in_the_html(monkeypatch):
    # GIVEN a template whose words have characters that mean something in HTML around a user name
    monkeypatch.setitem(
        TEMPLATES,
        "escape_probe",
        Template(
            subject="Subject",
            lines=('Tom & Jerry <b>say</b> "{username}" isn\'t yours',),
            action="Open <the> portal",
            path="/",
            params=("username",),
        ),
    )
    username = "o.k@a-b_c"
    _, text, html = service.render(
        NotificationRequest("n-1", "escape_probe", "pat@example.org", username=username), BASE_URL
    )
    # THEN the HTML carries the whole filled line escaped, the plain text as it is
    assert f"<p>Tom &amp; Jerry &lt;b&gt;say&lt;/b&gt; &quot;{username}&quot; isn&#x27;t yours</p>" in html
    assert f'Tom & Jerry <b>say</b> "{username}" isn\'t yours' in text
    assert ">Open &lt;the&gt; portal</a>" in html


def test_a_value_is_filled_in_once_and_never_read_again():
    assert domain.fill("a {username} b {code}", {"username": "{code}", "code": "123456"}) == "a {code} b 123456"


def test_invitation_link_carries_the_token_once_and_nowhere_else():
    subject, text, html = service.render(invitation(), BASE_URL)
    assert f"{BASE_URL}/enroll?code={TOKEN}" in text
    assert f'href="{BASE_URL}/enroll?code={TOKEN}"' in html
    assert text.count(TOKEN) == html.count(TOKEN) == 1
    assert TOKEN not in subject
    assert "works once and expires after 7 days" in text


def test_base_url_with_trailing_slash_does_not_double_the_slash():
    _, text, html = service.render(invitation(), BASE_URL + "/")
    assert f"{BASE_URL}/enroll?code={TOKEN}" in text and f"{BASE_URL}//enroll" not in text
    assert f'href="{BASE_URL}/enroll?code={TOKEN}"' in html
    _, text, html = service.render(request(), BASE_URL + "/")
    assert f"{BASE_URL}/" in text and f"{BASE_URL}//" not in text
    assert f'href="{BASE_URL}/"' in html


def test_link_is_html_escaped():
    # GIVEN a configured base URL with characters that mean something in HTML
    base_url = "https://portal.example.org/a=1&b='2'"
    _, text, html = service.render(invitation(), base_url)
    # THEN the HTML carries them escaped, the plain text as they are
    assert f"https://portal.example.org/a=1&amp;b=&#x27;2&#x27;/enroll?code={TOKEN}" in html
    assert "&b=" not in html
    assert f"{base_url}/enroll?code={TOKEN}" in text


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_email_carries_nothing_from_the_request_but_its_params(template):
    # GIVEN two requests that differ only in the id and address
    first = rendered(template, notification_id="notif-4711", to_address="jane.doe@clinic.example")
    second = rendered(template, notification_id="n-2", to_address="b@example.org")
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
    assert f'href="{BASE_URL}/enroll?code={TOKEN}"' in email.html


def test_send_a_sign_in_code():
    mailer = FakeMailer()
    service.send(NotificationRequest.from_message(message_for("sign_in_code")), mailer=mailer, public_base_url=BASE_URL)
    [email] = mailer.sent
    assert f"Your sign-in code is {CODE}." in email.text and f"Your sign-in code is {CODE}." in email.html
    assert CODE not in email.subject


# --- requests that name an account -----------------------------------------------------------

ACCOUNT_ID = "0123456789abcdef0123456789abcdef"
AT = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
FOR_ACCOUNT = {"notification_id": "new-results-1", "template": "something_waiting", "account_id": ACCOUNT_ID}


def test_a_request_may_name_an_account_instead_of_an_address():
    built = NotificationRequest.from_message(FOR_ACCOUNT)
    assert (built.account_id, built.to_address) == (ACCOUNT_ID, "")
    both = NotificationRequest.from_message({**FOR_ACCOUNT, "to_address": "pat@example.org"})
    assert (both.account_id, both.to_address) == (ACCOUNT_ID, "pat@example.org")


def test_a_request_with_neither_an_address_nor_an_account_is_refused():
    details = problems({"notification_id": "n-1", "template": "something_waiting"})
    assert details == [{"field": "to_address", "issue": "required: an email address, unless account_id is given"}]
    with pytest.raises(ValidationFailed):
        NotificationRequest("n-1", "something_waiting")


@pytest.mark.parametrize("account_id", ["", "a#b", "a" * 65, "acc ount", None, 42])
def test_an_account_id_outside_the_pattern_is_refused(account_id):
    assert invalid_fields({**FOR_ACCOUNT, "account_id": account_id}) == ["account_id"]


@pytest.mark.parametrize("template", sorted(name for name, t in TEMPLATES.items() if not t.inbox))
def test_only_an_inbox_template_may_name_an_account(template):
    # GIVEN a one-time link, a code, or a notice meant for one address / THEN it goes to an address only
    details = problems(message_for(template, account_id=ACCOUNT_ID))
    assert details == [{"field": "account_id", "issue": "this template is sent to an address only"}]


def test_an_inbox_template_takes_no_parameters_and_its_preference_is_a_known_one():
    from chalicelib.identity.enrollment import DEFAULT_PREFERENCES

    assert {name: t.preference for name, t in TEMPLATES.items() if t.inbox} == {
        "something_waiting": "email_new_results",
        "care_team_will_call": "email_new_results",
        "proxy_new_item": "email_new_results",  # a proxy chooses as a patient does about new items
        "refill_request_decided": "",  # the answer to the patient's own request: always emailed
        "appointment_request_update": "",  # the same
        "proxy_access_update": "",  # a change to access the proxy holds: always emailed
        "proxy_request_update": "",  # the answer to the requester's own request
        "proxy_access_asked": "",  # a decision only the patient can make: always emailed
        "record_export_ready": "",  # the answer to the person's own ask for a download
        "new_message": "email_messages",
        "appointment_reminder": "email_appointments",
    }
    for template in TEMPLATES.values():
        assert not (template.inbox and template.params)
        if template.preference:
            assert DEFAULT_PREFERENCES[template.preference] is True  # deliver() takes a missing one as on
    with pytest.raises(ValueError):
        Template(subject="S", lines=("{code}",), action="Open", path="/", params=("code",), inbox=True)
    with pytest.raises(ValueError):
        Template(subject="S", lines=("Words.",), action="Open", path="/", preference="email_messages")


class _Directory:
    def __init__(self, *accounts):
        self.accounts = {account.account_id: account for account in accounts}

    def account(self, account_id):
        return self.accounts.get(account_id)


class _Inbox:
    def __init__(self):
        self.items = {}

    def add(self, item) -> bool:
        if (item.account_id, item.notification_id) in self.items:
            return False
        self.items[(item.account_id, item.notification_id)] = item
        return True


def _ports(*accounts):
    import types

    return types.SimpleNamespace(
        settings=types.SimpleNamespace(public_base_url=BASE_URL),
        mailer=FakeMailer(),
        directory=_Directory(*accounts),
        inbox=_Inbox(),
    )


def _account(**changes):
    from chalicelib.accounts.domain import Account, AccountStatus, Role

    values = dict(
        account_id=ACCOUNT_ID,
        username="ana.nunez",
        organization_id="org",
        role=Role.PATIENT,
        password_hash="x",
        status=AccountStatus.ACTIVE,
        email="ana@example.org",
        created_at=datetime(2024, 1, 1, tzinfo=timezone.utc),
        email_verified=True,
    )
    return Account(**{**values, **changes})


def _deliver(ports, message=FOR_ACCOUNT):
    return service.deliver(ports, NotificationRequest.from_message(message), AT)


def test_an_account_gets_the_notice_in_its_inbox_and_an_email_at_its_verified_address():
    ports = _ports(_account())
    delivery = _deliver(ports)
    assert (delivery.inbox, delivery.not_emailed, bool(delivery.ses_message_id)) == ("added", "", True)
    [email] = ports.mailer.sent
    assert email.to_address == "ana@example.org"
    [item] = ports.inbox.items.values()
    assert (item.notification_id, item.template, item.title, item.read_at) == (
        "new-results-1",
        "something_waiting",
        TEMPLATES["something_waiting"].subject,
        None,
    )


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"notification_preferences": {"email_new_results": False}}, "preference_off"),
        ({"email_verified": False}, "no_verified_address"),
        ({"email": "", "email_verified": False}, "no_verified_address"),
        ({"status": "suspended"}, "account_not_active"),
        ({"status": "terminated"}, "account_not_active"),
    ],
)
def test_the_inbox_item_is_kept_without_an_email_when_the_account_says_so(changes, reason):
    from chalicelib.accounts.domain import AccountStatus

    if "status" in changes:
        changes = {**changes, "status": AccountStatus(changes["status"])}
    ports = _ports(_account(**changes))
    delivery = _deliver(ports)
    assert (delivery.inbox, delivery.not_emailed, delivery.ses_message_id) == ("added", reason, "")
    assert ports.mailer.sent == [] and len(ports.inbox.items) == 1


def test_other_preferences_do_not_stop_the_email():
    ports = _ports(_account(notification_preferences={"email_messages": False}))
    assert _deliver(ports).ses_message_id and len(ports.mailer.sent) == 1


def test_a_retry_after_a_failed_email_keeps_one_inbox_item_and_sends():
    ports = _ports(_account())
    ports.inbox.add(InboxItem.of(NotificationRequest.from_message(FOR_ACCOUNT), AT))
    delivery = _deliver(ports)
    assert (delivery.inbox, len(ports.inbox.items), len(ports.mailer.sent)) == ("kept", 1, 1)


def test_an_address_named_besides_the_account_is_the_one_emailed_by_the_accounts_preference():
    ports = _ports(_account(email_verified=False))
    _deliver(ports, {**FOR_ACCOUNT, "to_address": "pat@example.org"})
    assert [e.to_address for e in ports.mailer.sent] == ["pat@example.org"]
    off = _ports(_account(notification_preferences={"email_new_results": False}))
    assert _deliver(off, {**FOR_ACCOUNT, "to_address": "pat@example.org"}).not_emailed == "preference_off"
    assert off.mailer.sent == [] and len(off.inbox.items) == 1


def test_an_unknown_account_gets_nothing_and_an_address_alone_gets_its_email_without_an_inbox():
    ports = _ports()
    assert _deliver(ports) == service.Delivery(not_emailed="no_account")
    assert ports.mailer.sent == [] and ports.inbox.items == {}
    delivery = _deliver(ports, VALID)
    assert (delivery.inbox, [e.to_address for e in ports.mailer.sent]) == ("", ["pat@example.org"])
    assert ports.inbox.items == {}


@pytest.mark.parametrize(
    "seconds, words",
    [(7 * 86400, "7 days"), (86400, "1 day"), (36 * 3600, "36 hours"), (3600, "1 hour"), (90 * 60, "90 minutes")],
)
def test_a_link_lifetime_is_said_in_the_largest_whole_unit_it_fills(seconds, words):
    assert domain.lifetime_words(seconds) == words
    assert PARAMS["lifetime"].pattern.fullmatch(words)


def test_the_invitation_email_states_the_lifetime_it_is_given():
    _, text, html = rendered("invitation", {**VALUES, "lifetime": "3 days"})
    assert "expires after 3 days" in text and "expires after 3 days" in html
    assert "7 days" not in text


def test_a_release_notice_says_when_it_was_released_and_only_to_an_account():
    # GIVEN a notice of a release to an account / THEN it keeps when (a later one may reopen it)
    notice = {"notification_id": "n-1", "template": "something_waiting", "account_id": "acc-1"}
    assert NotificationRequest.from_message({**notice, "released_at": "2026-12-01T10:00:00Z"}).released_at == (
        "2026-12-01T10:00:00Z"
    )
    # a time without its offset, or one for an address-only notice, is refused
    for wrong in ({**notice, "released_at": "2026-12-01T10:00:00"}, {**notice, "released_at": "tomorrow"}):
        with pytest.raises(ValidationFailed):
            NotificationRequest.from_message(wrong)
    with pytest.raises(ValidationFailed):
        NotificationRequest.from_message(
            {"notification_id": "n-1", "template": "something_waiting", "to_address": "pat@example.org"}
            | {"released_at": "2026-12-01T10:00:00Z"}
        )
