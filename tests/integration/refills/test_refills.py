"""Medications and refill requests through the API: the list says which may be refilled online
and why not; a request is kept with its FHIR Task on the outbound queue; the refusals hold (a
controlled substance, an expired or refill-less prescription, the sender's mark, a request
already waiting, another patient's or organization's request, a resend with the same
Idempotency-Key); staff approve or deny (a denial with its reason), the patient is emailed that
there is an update (never what), and the Task leaves accepted or rejected. moto in decorator
mode, the real feed handler, the real API."""

from __future__ import annotations

import json
import uuid

import pytest
from pynamodb.exceptions import TransactWriteError

from chalicelib import wiring
from chalicelib.errors import DependencyUnavailable
from chalicelib.outbound import fhir, producer
from chalicelib.patients.domain import Identifier
from chalicelib.release import outbox
from tests.integration.conftest import deliver_notifications, sqs_event
from tests.integration.identity.conftest import call, register_and_invite
from tests.integration.outbound.test_outbound_producer import on_queue
from tests.integration.test_feed_sources_admin import other_organization_admin

PHARMACY = {"name": "Main Street Pharmacy", "phone": "(518) 555-0199", "address": "12 Main St, Albany NY"}
NOTE = "Running low since my chest pain visit"
UPDATE_SUBJECT = "There is an update to your refill request"


def ask(api, patient_id: str, token: str, medication_id: str, key: str = "", **body):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    payload = {"medication_id": medication_id, "pharmacy": PHARMACY, "note": NOTE, **body}
    return api.http.post(
        f"/v1/patients/{patient_id}/refill-requests", headers=headers, body=json.dumps(payload).encode()
    )


def decide(api, token: str, request_id: str, decision: str, reason=None, key: str = ""):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    body = json.dumps({"decision": decision, "reason": reason}).encode()
    return api.http.post(f"/v1/staff/refill-requests/{request_id}/decision", headers=headers, body=body)


def medications(api, patient_id: str, token: str) -> dict[str, dict]:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/medications", token=token)
    assert answer.status_code == 200, answer.json_body
    return {m["name"]: m for m in answer.json_body["medications"]}


def tasks(container) -> list[dict]:
    """The Tasks on the outbound queue now, each as the integration engine reads it."""
    return [json.loads(m["Body"]) for m in on_queue(container) if json.loads(m["Body"])["resourceType"] == "Task"]


def audited(patient_id: str) -> set[str]:
    events, _ = wiring.container().audit_log.for_patient(patient_id, 100)
    return {e.event_type for e in events}


class TestTheMedicationList:
    def test_each_medication_says_whether_it_can_be_refilled_online_and_why_not(self, seeded, ana):
        patient_id, token, _ = ana
        listed = medications(seeded, patient_id, token)

        def refill(name: str) -> tuple:
            r = listed[name]["refill"]
            return r["can_request"], r["reason"], r["schedule"]

        assert refill("Lisinopril 10 mg tablet") == (True, None, None)
        assert refill("Oxycodone 5 mg tablet") == (False, "controlled_substance", "II")  # the sender's mark
        assert refill("Alprazolam 0.5 mg tablet") == (False, "controlled_substance", "IV")  # the portal's list
        assert refill("Amoxicillin 500 mg capsule") == (False, "expired", None)
        assert refill("Metformin 500 mg tablet") == (False, "no_refills", None)
        assert refill("Warfarin 5 mg tablet") == (False, "not_refillable_online", None)
        assert refill("Ibuprofen 200 mg tablet") == (False, "reported_by_patient", None)
        assert refill("Prednisone 10 mg tablet") == (False, "not_active", None)
        lisinopril = listed["Lisinopril 10 mg tablet"]
        assert (lisinopril["refills_allowed"], lisinopril["expires_on"]) == (3, "2099-12-31")
        assert (lisinopril["prescriber"], lisinopril["dosage"]) == (
            "Grace Okoro, MD",
            ["Take 1 tablet by mouth once a day"],
        )

    def test_active_medications_come_first_then_the_rest_by_name(self, seeded, ana):
        patient_id, token, _ = ana
        answer = call(seeded, "GET", f"/v1/patients/{patient_id}/medications", token=token).json_body
        statuses = [m["status"] for m in answer["medications"]]
        assert statuses == sorted(statuses, key=lambda s: s != "active")
        active = [m["name"] for m in answer["medications"] if m["status"] == "active"]
        assert active == sorted(active, key=str.casefold)

    def test_an_hl7_pharmacy_order_joins_the_list_and_its_schedule_refuses_an_online_refill(self, seeded, ana):
        patient_id, token, _ = ana
        order = "\r".join(
            [
                "MSH|^~\\&|PHARM|AMC|PORTAL|AMC|20261201093000||RDE^O11^RDE_O11|RX-CTRL-1|P|2.5.1",
                "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
                "ORC|NW|PL-77^EHR|FL-88^PHARM||IP||||20261130120000|||1234^Okoro^Grace^^^^MD",
                "RXE||10689^Tramadol 50 mg tablet^RXNORM|1||TAB^tablet|||||||2|||RX-4411" + "|" * 20 + "C-IV",
            ]
        )
        event = sqs_event(seeded, [order], "patient-portal-clinical-inbound.fifo", group_id="PHARM")
        assert seeded.lambda_.invoke("on_clinical_feed_message", event).payload == {"batchItemFailures": []}

        tramadol = medications(seeded, patient_id, token)["Tramadol 50 mg tablet"]

        assert (tramadol["refills_allowed"], tramadol["prescriber"]) == (2, "Grace Okoro MD")
        assert tramadol["refill"]["reason"] == "controlled_substance" and tramadol["refill"]["schedule"] == "IV"

    def test_reading_the_list_is_audited(self, seeded, ana):
        patient_id, token, _ = ana
        assert "medications.list" in audited(patient_id)

    def test_another_patients_medications_are_not_found(self, seeded, ana, staff_token):
        _, token, _ = ana
        other = register_and_invite(seeded, staff_token, {**_OTHER}, email="ben@example.org").patient_id
        assert call(seeded, "GET", f"/v1/patients/{other}/medications", token=token).status_code == 404


_OTHER = {"mrn": "MRN-2002", "family_name": "Osei", "given_names": ["Ben"], "birth_date": "1970-01-02", "sex": "male"}


class TestRequestingARefill:
    def test_a_request_is_kept_and_leaves_as_a_task_with_its_medication_request_contained(self, seeded, ana):
        patient_id, token, ids = ana
        container = wiring.container()
        on_queue(container)  # (whatever the seeding left)

        made = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"])

        assert made.status_code == 201, made.json_body
        request = made.json_body
        assert request["status"] == "requested" and request["decided_at"] is None
        assert request["medication"] == {
            "medication_id": ids["Lisinopril 10 mg tablet"],
            "name": "Lisinopril 10 mg tablet",
        }
        assert request["pharmacy"] == PHARMACY and request["note"] == NOTE
        # THEN the Task is on the outbound queue, valid FHIR, the prescription contained in it
        [task] = tasks(container)
        assert fhir.validated(task) == task
        assert task["status"] == "requested"
        assert task["identifier"] == [{"system": fhir.REFILL_REQUEST_SYSTEM, "value": request["request_id"]}]
        assert task["for"]["identifier"] == {"system": "AMC-MRN", "value": "MRN-1001"}
        contained, pharmacy = task["contained"]
        assert contained["resourceType"] == "MedicationRequest" and task["focus"] == {"reference": "#prescription"}
        # AND the pharmacy the patient chose is where the prescription asks it be dispensed
        assert contained["dispenseRequest"]["performer"]["reference"] == "#pharmacy"
        assert (pharmacy["resourceType"], pharmacy["name"]) == ("Organization", PHARMACY["name"])
        assert pharmacy["telecom"] == [{"system": "phone", "value": PHARMACY["phone"]}]
        assert pharmacy["address"] == [{"text": PHARMACY["address"]}]
        assert contained["identifier"] == [{"system": "urn:oid:2.16.840.1.113883.19.5.7", "value": "RX-rx-lisinopril"}]
        assert contained["medicationCodeableConcept"]["coding"][0]["code"] == "314076"
        assert container.outbound.pending(10) == []
        # AND the medication now says a request waits, and the patient's list and the request show it
        waiting = medications(seeded, patient_id, token)["Lisinopril 10 mg tablet"]["refill"]
        assert waiting == {
            "can_request": False,
            "reason": "request_pending",
            "schedule": None,
            "pending_request_id": request["request_id"],
        }
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests", token=token).json_body
        assert [r["request_id"] for r in mine["refill_requests"]] == [request["request_id"]]
        one = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests/{request['request_id']}", token=token)
        assert one.json_body == request
        assert {"refill.requested", "refill_requests.list", "refill_request.read"} <= audited(patient_id)

    def test_a_second_request_while_one_waits_is_refused(self, seeded, ana):
        patient_id, token, ids = ana
        assert ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"]).status_code == 201
        again = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"], note="again")
        assert again.status_code == 409
        assert again.json_body["error"]["details"] == [{"field": "medication_id", "issue": "request_pending"}]

    def test_a_controlled_substance_is_refused_with_the_explanation_and_nothing_is_sent(self, seeded, ana):
        patient_id, token, ids = ana
        container = wiring.container()
        on_queue(container)

        refused = ask(seeded, patient_id, token, ids["Oxycodone 5 mg tablet"])

        assert refused.status_code == 409
        assert refused.json_body["error"]["message"] == (
            "This medication is a controlled substance (Schedule II); refills cannot be requested online. "
            "Please call your care team."
        )
        assert refused.json_body["error"]["details"] == [{"field": "medication_id", "issue": "controlled_substance"}]
        assert tasks(container) == [] and container.outbound.pending(10) == []
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests", token=token).json_body
        assert mine["refill_requests"] == []

    @pytest.mark.parametrize(
        "name, reason",
        [
            ("Alprazolam 0.5 mg tablet", "controlled_substance"),
            ("Amoxicillin 500 mg capsule", "expired"),
            ("Metformin 500 mg tablet", "no_refills"),
            ("Warfarin 5 mg tablet", "not_refillable_online"),
            ("Ibuprofen 200 mg tablet", "reported_by_patient"),
            ("Prednisone 10 mg tablet", "not_active"),
        ],
    )
    def test_a_medication_that_cannot_be_refilled_online_is_refused_with_its_reason(self, seeded, ana, name, reason):
        patient_id, token, ids = ana
        refused = ask(seeded, patient_id, token, ids[name])
        assert refused.status_code == 409
        assert refused.json_body["error"]["details"] == [{"field": "medication_id", "issue": reason}]
        assert "call" in refused.json_body["error"]["message"] or "ask" in refused.json_body["error"]["message"]

    def test_an_unknown_medication_is_not_found(self, seeded, ana):
        patient_id, token, _ = ana
        assert ask(seeded, patient_id, token, "0" * 32).status_code == 404

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"pharmacy": {"name": ""}}, "pharmacy.name"),
            ({"pharmacy": {"name": "x" * 201}}, "pharmacy.name"),
            ({"pharmacy": {**PHARMACY, "phone": "call me"}}, "pharmacy.phone"),
            ({"pharmacy": {**PHARMACY, "address": "x" * 301}}, "pharmacy.address"),
            ({"note": "x" * 1001}, "note"),
            ({"medication_id": "lisinopril"}, "medication_id"),
            ({"dose": "double"}, "dose"),
        ],
    )
    def test_bad_fields_are_refused_by_name(self, seeded, ana, change, field):
        patient_id, token, ids = ana
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        body = {"medication_id": ids["Lisinopril 10 mg tablet"], "pharmacy": PHARMACY, "note": "", **change}
        refused = seeded.http.post(
            f"/v1/patients/{patient_id}/refill-requests", headers=headers, body=json.dumps(body).encode()
        )
        assert refused.status_code == 400, refused.json_body
        assert field in [d.get("field") for d in refused.json_body["error"]["details"]]

    def test_a_resent_request_with_the_same_key_answers_the_first_and_creates_no_second(self, seeded, ana):
        patient_id, token, ids = ana
        container = wiring.container()
        on_queue(container)
        key = str(uuid.uuid4())

        first = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"], key=key)
        again = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"], key=key)

        assert first.status_code == again.status_code == 201
        assert again.json_body == first.json_body and again.headers.get("Idempotent-Replayed") == "true"
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests", token=token).json_body
        assert len(mine["refill_requests"]) == 1
        assert len(tasks(container)) == 1

    def test_another_patients_request_is_not_found(self, seeded, ana, staff_token):
        patient_id, token, _ = ana
        other = register_and_invite(seeded, staff_token, {**_OTHER}, email="ben@example.org").patient_id
        theirs = _request_for(other)
        assert (
            call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests/{theirs}", token=token).status_code == 404
        )
        assert call(seeded, "GET", f"/v1/patients/{other}/refill-requests/{theirs}", token=token).status_code == 404
        assert call(seeded, "GET", f"/v1/patients/{other}/refill-requests", token=token).status_code == 404


def _request_for(patient_id: str, medication_id: str = "1" * 32) -> str:
    """A waiting request of another patient, kept as the service keeps one (that patient is not
    enrolled, so cannot ask through the API)."""
    from datetime import timedelta

    from chalicelib.outbound.domain import REFILL_REQUEST
    from chalicelib.refills.domain import Pharmacy, RefillRequest, Status

    now = wiring.container().clock.now() + timedelta(minutes=5)  # after anything the test asked before
    request_id = uuid.uuid4().hex
    identifier = fhir.PatientIdentifier("AMC-MRN", "MRN-2002")
    task = fhir.refill_task(
        request_id=request_id,
        patient=identifier,
        prescription=fhir.Prescription("Atenolol 25 mg tablet"),
        status="requested",
        authored=now,
        changed=now,
    )
    event = producer.event(f"refill-{request_id}-requested", patient_id, REFILL_REQUEST, task, "AMC-MRN", now)
    wiring.container().refills.add(
        RefillRequest(
            request_id,
            patient_id,
            "albany-medical-center",
            medication_id,
            "Atenolol 25 mg tablet",
            Pharmacy("Corner Pharmacy"),
            "",
            Status.REQUESTED,
            now,
            "account-of-ben",
        ),
        event,
    )
    return request_id


class TestStaffDecisions:
    def test_staff_approve_the_patient_sees_it_and_is_emailed_without_what_and_the_task_is_accepted(
        self, seeded, ana, staff_token
    ):
        patient_id, token, ids = ana
        container = wiring.container()
        request_id = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"]).json_body["request_id"]
        deliver_notifications(seeded)
        before = len(deliver_notifications(seeded))
        on_queue(container)

        # GIVEN the request waits in the staff queue with the patient and the prescription
        waiting = call(seeded, "GET", "/v1/staff/refill-requests", token=staff_token).json_body["refill_requests"]
        [listed] = [r for r in waiting if r["request_id"] == request_id]
        assert listed["patient"] == {"patient_id": patient_id, "name": "Ana Núñez", "birth_date": "1984-03-09"}
        assert listed["medication_detail"] == {
            "dosage": ["Take 1 tablet by mouth once a day"],
            "prescriber": "Grace Okoro, MD",
            "refills_allowed": 3,
            "expires_on": "2099-12-31",
        }

        # WHEN staff approve it
        approved = decide(seeded, staff_token, request_id, "approved")

        # THEN it is approved, by them, and leaves the waiting queue for the approved one
        assert approved.status_code == 200, approved.json_body
        assert (approved.json_body["status"], approved.json_body["decided_by"]) == ("approved", "demo.staff")
        assert call(seeded, "GET", "/v1/staff/refill-requests", token=staff_token).json_body["refill_requests"] == []
        done = call(seeded, "GET", "/v1/staff/refill-requests?status=approved", token=staff_token).json_body
        assert [r["request_id"] for r in done["refill_requests"]] == [request_id]
        # AND the patient sees it approved, and may ask again later
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests/{request_id}", token=token).json_body
        assert mine["status"] == "approved" and mine["decided_at"]
        assert medications(seeded, patient_id, token)["Lisinopril 10 mg tablet"]["refill"]["can_request"] is True
        # AND she is emailed that there is an update, nothing of what
        emails = deliver_notifications(seeded)[before:]
        [email] = [e for e in emails if e.destinations["ToAddresses"] == ["ana@example.org"]]
        assert email.subject == UPDATE_SUBJECT and "/medications" in email.body
        for secret in ("Lisinopril", "lisinopril", "Main Street", "approved", "Okoro", "Núñez"):
            assert secret not in email.body and secret not in email.subject
        # AND the Task leaves accepted, its prescription contained
        [task] = tasks(container)
        assert fhir.validated(task) == task
        assert task["status"] == "accepted" and task["contained"][0]["resourceType"] == "MedicationRequest"
        assert task["identifier"][0]["value"] == request_id
        assert "refill.approved" in audited(patient_id)

    def test_a_denial_needs_its_reason_which_the_patient_reads_and_the_task_carries(self, seeded, ana, staff_token):
        patient_id, token, ids = ana
        container = wiring.container()
        request_id = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"]).json_body["request_id"]
        on_queue(container)

        refused = decide(seeded, staff_token, request_id, "denied")
        assert refused.status_code == 400
        assert [d["field"] for d in refused.json_body["error"]["details"]] == ["reason"]
        assert decide(seeded, staff_token, request_id, "denied", "   ").status_code == 400

        reason = "Please book a visit first: this needs a blood test."
        denied = decide(seeded, staff_token, request_id, "denied", reason)

        assert denied.status_code == 200, denied.json_body
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests/{request_id}", token=token).json_body
        assert (mine["status"], mine["decision_reason"]) == ("denied", reason)
        [task] = tasks(container)
        assert task["status"] == "rejected" and task["statusReason"] == {"text": reason}

    def test_deciding_twice_is_refused(self, seeded, ana, staff_token):
        patient_id, token, ids = ana
        request_id = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"]).json_body["request_id"]
        assert decide(seeded, staff_token, request_id, "approved").status_code == 200
        again = decide(seeded, staff_token, request_id, "denied", "changed my mind")
        assert again.status_code == 409
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests/{request_id}", token=token).json_body
        assert mine["status"] == "approved"

    def test_the_waiting_queue_is_oldest_first_and_reading_a_request_is_audited(self, seeded, ana, staff_token):
        patient_id, token, ids = ana
        first = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"]).json_body["request_id"]
        second = _request_for(patient_id)  # kept later, for another medication
        waiting = call(seeded, "GET", "/v1/staff/refill-requests?limit=1", token=staff_token).json_body
        assert [r["request_id"] for r in waiting["refill_requests"]] == [first] and waiting["next_cursor"]
        rest = call(
            seeded, "GET", f"/v1/staff/refill-requests?limit=1&cursor={waiting['next_cursor']}", token=staff_token
        ).json_body
        assert [r["request_id"] for r in rest["refill_requests"]] == [second]
        one = call(seeded, "GET", f"/v1/staff/refill-requests/{first}", token=staff_token)
        assert one.status_code == 200 and one.json_body["patient"]["patient_id"] == patient_id
        assert "refill_request.read" in audited(patient_id)

    def test_another_organizations_staff_neither_see_nor_decide_the_request(self, seeded, ana, monkeypatch):
        patient_id, token, ids = ana
        request_id = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"]).json_body["request_id"]
        other = other_organization_admin(seeded, monkeypatch)
        assert call(seeded, "GET", "/v1/staff/refill-requests", token=other).json_body["refill_requests"] == []
        assert call(seeded, "GET", f"/v1/staff/refill-requests/{request_id}", token=other).status_code == 404
        assert decide(seeded, other, request_id, "approved").status_code == 404
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests/{request_id}", token=token).json_body
        assert mine["status"] == "requested"

    def test_patients_cannot_read_the_queue(self, seeded, ana):
        _, token, _ = ana
        assert call(seeded, "GET", "/v1/staff/refill-requests", token=token).status_code == 403


class TestNothingHalfDone:
    def test_with_the_outbound_queue_down_the_request_is_kept_and_its_task_sent_once_later(
        self, seeded, ana, monkeypatch
    ):
        patient_id, token, ids = ana
        container = wiring.container()
        on_queue(container)
        real = container.clinical_outbound_queue.send_raw

        def down(*args, **kwargs):
            raise DependencyUnavailable("A queue is unavailable.")

        monkeypatch.setattr(container.clinical_outbound_queue, "send_raw", down)
        made = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"])
        assert made.status_code == 201, made.json_body
        assert len(container.outbound.pending(10)) == 1

        monkeypatch.setattr(container.clinical_outbound_queue, "send_raw", real)
        assert producer.drain(container).sent == 1
        assert producer.drain(container).sent == 0
        [task] = tasks(container)
        assert task["identifier"][0]["value"] == made.json_body["request_id"]

    def test_with_both_queues_down_a_decision_is_kept_and_its_email_and_task_go_out_once_later(
        self, seeded, ana, staff_token, monkeypatch
    ):
        patient_id, token, ids = ana
        container = wiring.container()
        request_id = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"]).json_body["request_id"]
        before = len(deliver_notifications(seeded))
        on_queue(container)

        def down(*args, **kwargs):
            raise DependencyUnavailable("A queue is unavailable.")

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(container.clinical_outbound_queue, "send_raw", down)
            patch.setattr(container.notifications_queue, "send", down)
            assert decide(seeded, staff_token, request_id, "approved").status_code == 200
        assert deliver_notifications(seeded)[before:] == [] and tasks(container) == []

        assert outbox.drain(container, container.clock.now()).sent == 1
        assert producer.drain(container).sent == 1
        emails = deliver_notifications(seeded)[before:]
        assert [e.subject for e in emails] == [UPDATE_SUBJECT]
        assert [t["status"] for t in tasks(container)] == ["accepted"]

    def test_when_the_store_fails_nothing_is_kept_and_nothing_is_sent(self, seeded, ana, monkeypatch):
        patient_id, token, ids = ana
        container = wiring.container()
        on_queue(container)
        from pynamodb.connection.base import Connection

        def refuse(*args, **kwargs):
            raise TransactWriteError("The store is unavailable.")

        monkeypatch.setattr(Connection, "transact_write_items", refuse)
        failed = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"])
        monkeypatch.undo()

        assert failed.status_code == 503
        assert container.outbound.pending(10) == [] and tasks(container) == []
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests", token=token).json_body
        assert mine["refill_requests"] == []
        assert medications(seeded, patient_id, token)["Lisinopril 10 mg tablet"]["refill"]["can_request"] is True

    def test_a_request_is_kept_with_its_audit_event_so_an_audit_trail_outage_cannot_fail_it(
        self, seeded, ana, monkeypatch
    ):
        # (An audit write after the request was kept used to answer 503; the retry then met the
        # request's own pending mark and was refused, though the patient's request had gone through.)
        patient_id, token, ids = ana
        container = wiring.container()
        on_queue(container)

        def refuse(*args, **kwargs):
            raise DependencyUnavailable("The audit trail is unavailable.")

        monkeypatch.setattr(type(container.audit_log), "append", refuse)
        sent = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"], key="refill-audit-outage-0001")
        monkeypatch.undo()

        assert sent.status_code == 201
        again = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"], key="refill-audit-outage-0001")
        assert again.status_code == 201 and again.json_body == sent.json_body
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests", token=token).json_body
        assert [r["request_id"] for r in mine["refill_requests"]] == [sent.json_body["request_id"]]
        assert "refill.requested" in audited(patient_id)
        assert [t["status"] for t in tasks(container)] == ["requested"]


def _without_mrn(patient_id: str) -> None:
    """The patient's MRN under the organization's authority gone (a merge moved it, the record
    was made without one): the clinical systems cannot be told who they are."""
    import dataclasses

    patients = wiring.container().patients
    patient = patients.get(patient_id)
    assert patient is not None
    patients.save(
        dataclasses.replace(patient, identifiers=tuple(i for i in patient.identifiers if i.authority != "AMC-MRN"))
    )


class TestAPatientTheClinicalSystemsCannotName:
    def test_without_an_mrn_the_list_says_to_call_and_a_request_is_refused_not_failed(self, seeded, ana):
        patient_id, token, ids = ana
        container = wiring.container()
        on_queue(container)
        _without_mrn(patient_id)

        lisinopril = medications(seeded, patient_id, token)["Lisinopril 10 mg tablet"]["refill"]
        refused = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"])

        assert (lisinopril["can_request"], lisinopril["reason"]) == (False, "patient_not_identified")
        assert refused.status_code == 409, refused.json_body
        assert refused.json_body["error"]["details"] == [{"field": "medication_id", "issue": "patient_not_identified"}]
        assert "call your care team" in refused.json_body["error"]["message"]
        assert tasks(container) == [] and container.outbound.pending(10) == []
        # a controlled substance still says why it cannot be asked for: the reason the patient can act on
        assert medications(seeded, patient_id, token)["Oxycodone 5 mg tablet"]["refill"]["reason"] == (
            "controlled_substance"
        )

    def test_a_request_whose_patient_lost_their_mrn_can_still_be_decided_under_the_mrn_it_was_sent_with(
        self, seeded, ana, staff_token
    ):
        patient_id, token, ids = ana
        container = wiring.container()
        request_id = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"]).json_body["request_id"]
        on_queue(container)
        _without_mrn(patient_id)

        approved = decide(seeded, staff_token, request_id, "approved")

        assert approved.status_code == 200, approved.json_body
        [task] = tasks(container)
        assert task["status"] == "accepted"
        assert task["for"]["identifier"] == {"system": "AMC-MRN", "value": "MRN-1001"}
        assert medications(seeded, patient_id, token)["Lisinopril 10 mg tablet"]["refill"]["reason"] == (
            "patient_not_identified"
        )

    def test_a_request_that_names_no_mrn_at_all_is_still_decided_and_the_patient_told(self, seeded, ana, staff_token):
        patient_id, token, _ = ana
        container = wiring.container()
        request_id = _request_for(patient_id)  # kept without the MRN it was sent with
        _without_mrn(patient_id)
        on_queue(container)

        denied = decide(seeded, staff_token, request_id, "denied", "Please call us about this one.")

        assert denied.status_code == 200, denied.json_body
        # no rejected Task (it could not say whose); only the request's own, kept when it was made
        assert tasks(container) == []
        assert [e.event_id for e in container.outbound.pending(10)] == [f"refill-{request_id}-requested"]
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests/{request_id}", token=token).json_body
        assert (mine["status"], mine["decision_reason"]) == ("denied", "Please call us about this one.")


class TestRacesAndReads:
    def test_two_requests_racing_past_the_pending_check_keep_only_the_first(self, seeded, ana, monkeypatch):
        patient_id, token, ids = ana
        container = wiring.container()
        assert ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"]).status_code == 201
        on_queue(container)
        # the second request read the pending marks before the first was kept
        monkeypatch.setattr(container.refills, "pending", lambda patient_id: {})

        again = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"], note="again")
        monkeypatch.undo()

        assert again.status_code == 409, again.json_body
        assert again.json_body["error"]["details"] == [{"field": "medication_id", "issue": "request_pending"}]
        assert again.json_body["error"]["message"] == (
            "A refill request for this medication is already waiting for your care team."
        )
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests", token=token).json_body
        assert len(mine["refill_requests"]) == 1 and tasks(container) == []

    def test_the_staff_queue_shows_a_page_without_reading_each_patient_or_medication(
        self, seeded, ana, staff_token, monkeypatch
    ):
        patient_id, token, ids = ana
        container = wiring.container()
        ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"])

        def unread(*args, **kwargs):
            raise AssertionError("the queue read a patient or a medication per request")

        monkeypatch.setattr(container.patients, "get", unread)
        monkeypatch.setattr(container.records, "current", unread)
        waiting = call(seeded, "GET", "/v1/staff/refill-requests", token=staff_token)
        monkeypatch.undo()

        assert waiting.status_code == 200, waiting.json_body
        [listed] = waiting.json_body["refill_requests"]
        assert listed["patient"] == {"patient_id": patient_id, "name": "Ana Núñez", "birth_date": "1984-03-09"}
        assert listed["medication_detail"]["prescriber"] == "Grace Okoro, MD"

    def test_the_lists_read_their_index_consistently_so_a_request_just_made_is_listed(
        self, seeded, ana, staff_token, monkeypatch
    ):
        from chalicelib.data.models import RefillRequestModel

        patient_id, token, _ = ana
        real = RefillRequestModel.by_time.query
        reads: list[bool] = []

        def query(*args, **kwargs):
            reads.append(kwargs.get("consistent_read") is True)
            return real(*args, **kwargs)

        monkeypatch.setattr(RefillRequestModel.by_time, "query", query)
        assert call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests", token=token).status_code == 200
        assert call(seeded, "GET", "/v1/staff/refill-requests", token=staff_token).status_code == 200
        assert reads == [True, True]

    def test_an_approval_with_a_reason_is_refused_naming_the_reason(self, seeded, ana, staff_token):
        patient_id, token, ids = ana
        request_id = ask(seeded, patient_id, token, ids["Lisinopril 10 mg tablet"]).json_body["request_id"]

        refused = decide(seeded, staff_token, request_id, "approved", "Approved, but come in next month")

        assert refused.status_code == 400
        assert [d["field"] for d in refused.json_body["error"]["details"]] == ["reason"]
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests/{request_id}", token=token).json_body
        assert (mine["status"], mine["decision_reason"]) == ("requested", None)


class TestAMerge:
    def test_a_merged_records_waiting_request_follows_the_patient_and_is_decided_there(self, seeded, ana, staff_token):
        patient_id, token, _ = ana
        container = wiring.container()
        # GIVEN an earlier record of Ana's (MRN-9) with a prescription, and a request waiting for it
        order = "\r".join(
            [
                "MSH|^~\\&|PHARM|AMC|PORTAL|AMC|20261201093000||RDE^O11^RDE_O11|RX-PRIOR-1|P|2.5.1",
                "PID|1||MRN-9^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
                "ORC|NW|PL-90^EHR|FL-90^PHARM||IP||||20261130120000|||1234^Okoro^Grace^^^^MD",
                "RXE||197361^Atenolol 25 mg tablet^RXNORM|1||TAB^tablet|||||||2",
            ]
        )
        feed = sqs_event(seeded, [order], "patient-portal-clinical-inbound.fifo", group_id="PHARM")
        assert seeded.lambda_.invoke("on_clinical_feed_message", feed).payload == {"batchItemFailures": []}
        prior = container.patients.by_identifier("albany-medical-center", Identifier("AMC-MRN", "MRN-9"))
        assert prior is not None and prior.patient_id != patient_id
        [atenolol], _ = container.records.page(
            prior.patient_id, "", container.clock.now(), 10, "", prefix="medication#"
        )
        request_id = _request_for(prior.patient_id, atenolol.result_id)

        # WHEN an A40 merges that record into Ana's (delivered twice, as queues may)
        merge = "\r".join(
            [
                "MSH|^~\\&|PHARM|AMC|PORTAL|AMC|20261202093000||ADT^A40^ADT_A39|MERGE-1|P|2.5.1",
                "EVN|A40|20261202093000",
                "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
                "MRG|MRN-9^^^AMC-MRN^MR",
            ]
        )
        for _ in range(2):
            event = sqs_event(seeded, [merge], "patient-portal-clinical-inbound.fifo", group_id="PHARM")
            assert seeded.lambda_.invoke("on_clinical_feed_message", event).payload == {"batchItemFailures": []}

        # THEN Ana sees the request, once, and cannot ask for that medication again while it waits
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests", token=token).json_body
        assert [r["request_id"] for r in mine["refill_requests"]] == [request_id]
        refill = medications(seeded, patient_id, token)["Atenolol 25 mg tablet"]["refill"]
        assert (refill["reason"], refill["pending_request_id"]) == ("request_pending", request_id)
        assert ask(seeded, patient_id, token, atenolol.result_id).status_code == 409
        # AND staff decide it, and Ana sees the decision and may ask again
        assert decide(seeded, staff_token, request_id, "approved").status_code == 200
        one = call(seeded, "GET", f"/v1/patients/{patient_id}/refill-requests/{request_id}", token=token).json_body
        assert one["status"] == "approved"
        assert medications(seeded, patient_id, token)["Atenolol 25 mg tablet"]["refill"]["can_request"] is True
