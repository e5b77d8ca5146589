"""A notification's parameters (codes, link tokens, a user name) cross the queue sealed: the
queued message holds none of them in clear, and they open only for the request, template and
address they were sealed for."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.errors import ValidationFailed
from chalicelib.notifications.domain import NotificationRequest
from chalicelib.notifications.sealing import SEALED, seal, unseal
from tests.unit.fakes import FakeKeys

RESET = {
    "notification_id": "password_reset-abc",
    "template": "password_reset",
    "to_address": "pat@example.org",
    "token": "tok_0123456789abcdef",
}
CODE = {"notification_id": "n-2", "template": "sign_in_code", "to_address": "pat@example.org", "code": "042917"}
REMINDER = {
    "notification_id": "n-3",
    "template": "username_reminder",
    "to_address": "pat@example.org",
    "username": "ana.n",
}


@pytest.mark.parametrize("message", [RESET, CODE, REMINDER], ids=lambda m: m["template"])
def test_a_sealed_message_holds_no_parameter_and_opens_to_what_the_producer_wrote(message):
    keys = FakeKeys()

    queued = seal(keys, message)

    assert set(queued) == {"notification_id", "template", "to_address", SEALED}
    secret = next(v for k, v in message.items() if k in ("token", "code", "username"))
    assert secret not in json.dumps(queued)
    assert unseal(keys, queued) == message
    assert NotificationRequest.from_message(unseal(keys, queued)).params  # a valid request again


def test_a_message_without_parameters_is_queued_as_it_is_without_a_key_call():
    keys = FakeKeys()
    notice = {"notification_id": "n-4", "template": "something_waiting", "account_id": "a" * 32}

    assert seal(keys, notice) == notice
    assert unseal(keys, notice) == notice
    assert keys.calls == []


@pytest.mark.parametrize(
    "change",
    [
        {"notification_id": "password_reset-other"},  # copied onto another request
        {"template": "invitation"},  # into another email
        {"to_address": "thief@example.org"},  # to someone else
    ],
)
def test_a_sealed_value_moved_onto_another_request_does_not_open(change):
    keys = FakeKeys()
    queued = seal(keys, RESET)

    with pytest.raises(ValidationFailed):
        unseal(keys, {**queued, **change})


def test_a_parameter_in_clear_is_refused_even_beside_a_sealed_one():
    keys = FakeKeys()

    with pytest.raises(ValidationFailed) as refused:
        unseal(keys, {**seal(keys, RESET), "token": "tok_attacker_chosen_1"})
    assert refused.value.details == [{"field": "token", "issue": "parameters travel sealed, never in clear"}]
    with pytest.raises(ValidationFailed):
        unseal(keys, CODE)


@pytest.mark.parametrize(
    "change",
    [
        {SEALED: "not base64!"},
        {SEALED: 42},
        {SEALED: "A" * 9000},
        {"notification_id": "not valid\n"},
        {"template": "no_such_template"},
    ],
)
def test_a_malformed_sealed_message_is_refused_before_anything_goes_to_the_key(change):
    keys = FakeKeys()
    queued = seal(keys, RESET)
    keys.calls.clear()

    with pytest.raises(ValidationFailed):
        unseal(keys, {**queued, **change})
    assert keys.calls == []


def test_a_sealed_value_that_does_not_hold_parameters_is_refused():
    keys = FakeKeys()
    context = {"purpose": "notification-parameters", "notification_id": "n-5", "template": "sign_in_code"}
    blob = keys.encrypt(json.dumps({"to": "pat@example.org", "params": {"link_path": "https://x"}}).encode(), context)
    message = {
        "notification_id": "n-5",
        "template": "sign_in_code",
        "to_address": "pat@example.org",
        SEALED: base64.b64encode(blob).decode(),
    }

    with pytest.raises(ValidationFailed):
        unseal(keys, message)


def test_what_is_not_a_json_object_is_left_for_the_request_check_to_refuse():
    assert unseal(FakeKeys(), ["not", "an", "object"]) == ["not", "an", "object"]
