"""What someone acting for a patient does says who did it: a message a proxy sends, a form they
sign, a visit or refill they ask for is shown to staff and to the patient as the proxy's, never
as the patient's own; the proxy sees what they did as theirs."""

from __future__ import annotations

import pytest

from chalicelib.proxies.domain import Relationship
from tests.integration.identity.conftest import call, enrolled, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.messaging.test_messaging import BODY, REPLY, post, teams, write
from tests.integration.test_proxy_matrix import World, world  # noqa: F401  (fixtures)

PROXY = "Chidi Okafor"
ATTRIBUTED = "Chidi Okafor (health care agent) for Ana Núñez"


@pytest.fixture
def acting(world: World) -> World:  # noqa: F811
    world.give(proxy_name=PROXY, relationship=Relationship.HEALTH_CARE_AGENT)
    return world


class TestMessages:
    def test_a_proxys_message_and_reply_are_theirs_to_staff_the_patient_and_themselves(self, acting: World):
        api, ana = acting.api, acting.ana
        team = teams(api, ana, acting.chidi_token)["Primary Care"]
        # GIVEN Chidi, Ana's health care agent, writes to her care team and replies to its answer
        started = write(api, ana, acting.chidi_token, team)
        assert started.status_code == 201, started.json_body
        thread = started.json_body
        sent = thread["messages"][0]
        assert sent["author"] == ATTRIBUTED
        assert sent["sent_by"] == {"name": PROXY, "relationship": "health_care_agent"}
        assert sent["yours"] is True
        thread_id = thread["thread_id"]
        staff_reply = post(api, f"/v1/staff/messages/{thread_id}/replies", {"body": REPLY}, acting.staff_token)
        assert staff_reply.status_code == 201, staff_reply.json_body
        reply = post(api, f"/v1/patients/{ana}/messages/{thread_id}/replies", {"body": BODY}, acting.chidi_token)
        assert reply.status_code == 201, reply.json_body

        # THEN staff see both as Chidi's, for Ana
        opened = call(api, "GET", f"/v1/staff/messages/{thread_id}", token=acting.staff_token).json_body
        patient_side = [m for m in opened["messages"] if m["from"] == "patient"]
        assert [m["author"] for m in patient_side] == [ATTRIBUTED, ATTRIBUTED]
        assert all(m["sent_by"]["name"] == PROXY and not m["yours"] for m in patient_side)
        staff_side = [m for m in opened["messages"] if m["from"] == "care_team"]
        assert staff_side[0]["sent_by"] is None and staff_side[0]["yours"] is True

        # AND Ana's own record shows who sent them, not as hers
        hers = call(api, "GET", f"/v1/patients/{ana}/messages/{thread_id}", token=acting.ana_token).json_body
        mine = [m for m in hers["messages"] if m["from"] == "patient"]
        assert [(m["author"], m["yours"]) for m in mine] == [(ATTRIBUTED, False), (ATTRIBUTED, False)]

        # AND Chidi sees them as his own
        his = call(api, "GET", f"/v1/patients/{ana}/messages/{thread_id}", token=acting.chidi_token).json_body
        assert [m["yours"] for m in his["messages"] if m["from"] == "patient"] == [True, True]

    def test_the_patients_own_message_stays_hers(self, acting: World):
        api, ana = acting.api, acting.ana
        team = teams(api, ana, acting.ana_token)["Primary Care"]
        sent = write(api, ana, acting.ana_token, team).json_body["messages"][0]
        assert sent["author"] == "Ana Núñez" and sent["sent_by"] is None and sent["yours"] is True
