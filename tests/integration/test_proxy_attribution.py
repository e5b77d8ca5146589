"""What someone acting for a patient does says who did it: a message a proxy sends, a form they
sign, a visit or refill they ask for is shown to staff and to the patient as the proxy's, never
as the patient's own; the proxy sees what they did as theirs."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader

from chalicelib import wiring
from chalicelib.proxies.domain import Relationship
from tests.integration.appointments.conftest import ask, day, siu
from tests.integration.appointments.test_appointment_requests import queue
from tests.integration.checkin_forms.test_signing import asked_forms, sign_path, signing, stored_pdf
from tests.integration.conftest import sqs_event
from tests.integration.identity.conftest import call, enrolled, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.messaging.test_messaging import BODY, REPLY, post, teams, write
from tests.integration.outbound.test_outbound_producer import on_queue
from tests.integration.refills import conftest as refills
from tests.integration.refills.test_refills import ask as ask_refill
from tests.integration.test_patient_results import feed  # noqa: F401  (fixtures)
from tests.integration.test_proxy_matrix import World, world  # noqa: F401  (fixtures)

PROXY = "Chidi Okafor"
ATTRIBUTED = "Chidi Okafor (health care agent) for Ana Núñez"
BY_CHIDI = {"name": PROXY, "relationship": "health_care_agent", "label": "Chidi Okafor (health care agent)"}


@pytest.fixture
def acting(clock, world: World) -> World:  # noqa: F811
    """Chidi acting for Ana as her health care agent (the clock pinned first: the sessions are
    made on it)."""
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
        assert sent["sent_by"] == {
            "name": PROXY,
            "relationship": "health_care_agent",
            "label": "Chidi Okafor (health care agent)",
        }
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


class TestRequests:
    def test_a_proxys_appointment_request_and_reschedule_say_who_asked_to_staff_and_the_patient(
        self,
        clock,
        feed,  # noqa: F811
        acting: World,
    ):
        api, ana = acting.api, acting.ana
        team = teams(api, ana, acting.chidi_token)["Primary Care"]
        # GIVEN Chidi asks for a visit for Ana, and Ana asks for one herself
        made = ask(api, clock, ana, acting.chidi_token, team)
        assert made.status_code == 201, made.json_body
        assert made.json_body["requested_by"] == BY_CHIDI
        hers = ask(api, clock, ana, acting.ana_token, team, reason="A cough")
        assert hers.json_body["requested_by"] is None

        # THEN staff's queue says who asked each
        waiting = {r["request_id"]: r for r in queue(api, acting.staff_token)}
        assert waiting[made.json_body["request_id"]]["requested_by"] == BY_CHIDI
        assert waiting[hers.json_body["request_id"]]["requested_by"] is None
        # AND Ana's own list shows it was Chidi's
        listed = call(api, "GET", f"/v1/patients/{ana}/appointment-requests", token=acting.ana_token).json_body
        by_id = {r["request_id"]: r["requested_by"] for r in listed["appointment_requests"]}
        assert by_id[made.json_body["request_id"]] == BY_CHIDI

        # WHEN Chidi asks to move a booked visit
        feed(siu("S12", "s-1", clock.now() + timedelta(days=10)))
        [visit] = call(api, "GET", f"/v1/patients/{ana}/appointments", token=acting.chidi_token).json_body[
            "appointments"
        ]
        moved = post(
            api,
            f"/v1/patients/{ana}/appointments/{visit['id']}/reschedule",
            {
                "reason": "School trip",
                "mode": "in_person",
                "preferred": [{"date": day(clock, 14), "time_of_day": "morning"}],
            },
            acting.chidi_token,
        )
        assert moved.status_code == 201, moved.json_body
        assert moved.json_body["requested_by"] == BY_CHIDI
        shown = call(
            api, "GET", f"/v1/staff/appointment-requests/{moved.json_body['request_id']}", token=acting.staff_token
        )
        assert shown.json_body["requested_by"] == BY_CHIDI

    def test_a_proxys_cancellation_says_who_cancelled(self, clock, feed, acting: World):  # noqa: F811
        api, ana = acting.api, acting.ana
        feed(siu("S12", "s-1", clock.now() + timedelta(days=5)))
        [visit] = call(api, "GET", f"/v1/patients/{ana}/appointments", token=acting.ana_token).json_body["appointments"]
        assert visit["cancelled_by"] is None
        cancelled = post(
            api,
            f"/v1/patients/{ana}/appointments/{visit['id']}/cancel",
            {"reason": "Feeling better"},
            acting.chidi_token,
        )
        assert cancelled.status_code == 200, cancelled.json_body
        assert cancelled.json_body["cancelled_by"] == BY_CHIDI
        [hers] = call(api, "GET", f"/v1/patients/{ana}/appointments", token=acting.ana_token).json_body["appointments"]
        assert (hers["status"], hers["cancelled_by"]) == ("cancelled", BY_CHIDI)

    def test_a_proxys_refill_request_says_who_asked_to_staff_and_the_patient(self, acting: World):
        api, ana = acting.api, acting.ana
        event = sqs_event(api, [refills.bundle("meds-1", refills.LISINOPRIL)], refills.QUEUE, group_id="EHR")
        assert api.lambda_.invoke("on_clinical_feed_message", event).payload == {"batchItemFailures": []}
        [medication] = call(api, "GET", f"/v1/patients/{ana}/medications", token=acting.chidi_token).json_body[
            "medications"
        ]
        asked = ask_refill(api, ana, acting.chidi_token, medication["medication_id"])
        assert asked.status_code == 201, asked.json_body
        assert asked.json_body["requested_by"] == BY_CHIDI
        [waiting] = call(api, "GET", "/v1/staff/refill-requests", token=acting.staff_token).json_body["refill_requests"]
        assert waiting["requested_by"] == BY_CHIDI and waiting["patient"]["name"] == "Ana Núñez"
        [hers] = call(api, "GET", f"/v1/patients/{ana}/refill-requests", token=acting.ana_token).json_body[
            "refill_requests"
        ]
        assert hers["requested_by"] == BY_CHIDI


class TestSigning:
    @pytest.fixture
    def visit_id(self, clock, feed, acting: World) -> str:  # noqa: F811
        """Ana's visit two days ahead: inside its check-in window."""
        feed(siu("S12", "s-1", clock.now() + timedelta(days=2)))
        [booked] = call(acting.api, "GET", f"/v1/patients/{acting.ana}/appointments", token=acting.ana_token).json_body[
            "appointments"
        ]
        return booked["id"]

    def test_a_proxy_signs_with_their_own_name_and_everything_kept_says_so(self, acting: World, visit_id: str):
        api, ana = acting.api, acting.ana
        consent = asked_forms()[0]
        path = sign_path(ana, visit_id, consent.form_id)
        # GIVEN the proxy types the patient's name: refused, they sign as themselves
        as_ana = call(api, "POST", path, signing(consent, typed_name="Ana Nunez"), acting.chidi_token)
        assert as_ana.status_code == 400, as_ana.json_body
        assert as_ana.json_body["error"]["details"][0]["field"] == "typed_name"
        assert "own full name" in as_ana.json_body["error"]["message"]
        on_queue(wiring.container())  # what the feed sent before

        # WHEN Chidi types his own name (folded as a patient's is: case, accents, order)
        signed = call(api, "POST", path, signing(consent, typed_name="okafor chidi"), acting.chidi_token)

        # THEN the stored signature says he signed for Ana
        assert signed.status_code == 201, signed.json_body
        said = "Signed by okafor chidi (health care agent) for Ana Núñez"
        assert signed.json_body["signature"] == said
        assert signed.json_body["signed_by"] == BY_CHIDI
        record = wiring.container().signed_forms.document(ana, signed.json_body["document_id"])
        assert record.signature == said and record.signed_by != record.patient_id
        # AND the PDF's signature block
        pdf = stored_pdf(record)["Body"].read()
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "Signed by: okafor chidi (health care agent) for Ana Núñez" in text
        # AND the DocumentReference names a RelatedPerson as its author, never the patient
        [message] = [m for m in on_queue(wiring.container()) if "DocumentReference" in m["Body"]]
        resource = json.loads(message["Body"])
        assert resource["author"][0]["type"] == "RelatedPerson"
        assert resource["author"][0]["display"] == "Chidi Okafor (health care agent)"
        # AND staff and Ana read it as his
        staff = call(
            api, "GET", f"/v1/staff/patients/{ana}/signed-forms/{record.document_id}", token=acting.staff_token
        )
        assert staff.json_body["signature"] == said
        hers = call(api, "GET", f"/v1/patients/{ana}/documents/{record.document_id}", token=acting.ana_token)
        assert hers.json_body["author"] == "Chidi Okafor (health care agent) for Ana Núñez"

    def test_the_patient_still_signs_with_her_own_name(self, acting: World, visit_id: str):
        consent = asked_forms()[0]
        signed = call(
            acting.api, "POST", sign_path(acting.ana, visit_id, consent.form_id), signing(consent), acting.ana_token
        )
        assert signed.status_code == 201, signed.json_body
        assert (signed.json_body["signature"], signed.json_body["signed_by"]) == ("Signed by Ana Nunez", None)

    def test_me_tells_the_proxy_which_name_to_sign_with(self, acting: World):
        me = call(acting.api, "GET", "/v1/me", token=acting.chidi_token).json_body
        [acting_for] = me["acting_for"]
        assert (acting_for["proxy_name"], acting_for["relationship"]) == (PROXY, "health_care_agent")
