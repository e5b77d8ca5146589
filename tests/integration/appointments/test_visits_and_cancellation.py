"""Visits the feed books and the patient's own changes to them: a booking that names a portal
request closes it (SIU SCH-1, or a FHIR identifier under the request system) and the visit shows
the request's id, while one for another patient closes nothing; the patient cancels until the
organization's cutoff (then "call the office" with its phone), the cancellation leaves as a FHIR
Appointment "cancelled" with the scheduler's id and a later feed update does not undo it; a
booked upcoming visit may be asked to move; the admin's appointment policy. moto, the real feed
handler, the real API; time moves by the pinned clock only."""

from __future__ import annotations

from datetime import timedelta

from chalicelib import wiring
from chalicelib.outbound import fhir
from tests.integration.appointments.conftest import (
    NEW_YORK,
    appointments_on_queue,
    asked,
    audited,
    day,
    post,
    siu,
    slot,
)
from tests.integration.identity.conftest import call, register_and_invite, sign_in
from tests.integration.records.test_health_summary import amy, ehr, filed, sample  # noqa: F401  (fixtures)
from tests.integration.test_feed_sources_admin import other_organization_admin
from tests.integration.test_patient_scope import SOMEONE_ELSE

CHIDI_PID = "PID|1||MRN-2002^^^AMC-MRN^MR||Okafor^Chidi||19900102|M"


def again(api) -> str:
    """Ana signs in again after the clock moved past her session's idle limit."""
    return sign_in(api, "ana.nunez", "correct horse battery")


def upcoming(api, patient_id: str, token: str) -> list[dict]:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/appointments", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["appointments"]


def request_of(api, patient_id: str, token: str, request_id: str) -> dict:
    return call(api, "GET", f"/v1/patients/{patient_id}/appointment-requests/{request_id}", token=token).json_body


def cancel(api, patient_id: str, token: str, appointment_id: str, key: str = "", reason: str = "Feeling better"):
    return post(api, f"/v1/patients/{patient_id}/appointments/{appointment_id}/cancel", {"reason": reason}, token, key)


class TestABookingThroughTheFeedClosesItsRequest:
    def test_an_siu_s12_naming_the_request_in_sch_1_closes_it_and_the_visit_shows_it(
        self, seeded, clock, feed, ana, team_id, staff_token
    ):
        patient_id, token = ana
        made = asked(seeded, clock, patient_id, token, team_id)
        post(seeded, f"/v1/staff/appointment-requests/{made['request_id']}/book", slot(clock), staff_token)

        feed(siu("S12", "s-1", clock.now() + timedelta(days=10), placer=made["request_id"]))

        [visit] = upcoming(seeded, patient_id, token)
        closed = request_of(seeded, patient_id, token, made["request_id"])
        assert (closed["status"], closed["scheduled_appointment_id"]) == ("scheduled", visit["id"])
        assert visit["request_id"] == made["request_id"]
        one = call(seeded, "GET", f"/v1/patients/{patient_id}/appointments/{visit['id']}", token=token)
        assert one.status_code == 200 and one.json_body == visit
        assert "appointment.read" in audited(patient_id)
        done = call(seeded, "GET", "/v1/staff/appointment-requests?queue=done", token=staff_token).json_body
        assert [r["request_id"] for r in done["appointment_requests"]] == [made["request_id"]]

    def test_a_booking_closes_a_request_still_waiting_for_staff_and_a_redelivery_changes_nothing(
        self, seeded, clock, feed, ana, team_id
    ):
        patient_id, token = ana
        made = asked(seeded, clock, patient_id, token, team_id)
        message = siu("S12", "s-1", clock.now() + timedelta(days=4), placer=made["request_id"])
        feed(message)
        first = request_of(seeded, patient_id, token, made["request_id"])
        feed(message)

        assert first["status"] == "scheduled"
        assert request_of(seeded, patient_id, token, made["request_id"]) == first

    def test_a_booking_for_another_patient_naming_the_request_closes_nothing(
        self, seeded, clock, feed, ana, team_id, staff_token
    ):
        patient_id, token = ana
        chidi = register_and_invite(seeded, staff_token, SOMEONE_ELSE, email="chidi@example.org").patient_id
        made = asked(seeded, clock, patient_id, token, team_id)

        feed(siu("S12", "s-9", clock.now() + timedelta(days=4), placer=made["request_id"], pid=CHIDI_PID))

        # the visit was filed, on Chidi's record ...
        entries, _ = wiring.container().records.page(chidi, "", clock.now(), 10, "", prefix="appointment#")
        assert len(entries) == 1
        # ... and Ana's request still waits
        assert request_of(seeded, patient_id, token, made["request_id"])["status"] == "requested"

    def test_a_fhir_appointment_with_the_request_identifier_closes_it(self, ehr, clock, amy):
        patient_id, token = amy
        [team] = [
            t
            for t in call(ehr, "GET", f"/v1/patients/{patient_id}/care-teams", token=token).json_body["care_teams"]
            if t["name"] == "Primary Care"
        ]
        made = asked(ehr, clock, patient_id, token, team["team_id"])
        resource = sample("r4spec_appointment-example.json")
        resource["start"], resource["end"] = "2099-03-10T14:00:00Z", "2099-03-10T14:30:00Z"
        resource["identifier"] = [{"system": fhir.APPOINTMENT_REQUEST_SYSTEM, "value": made["request_id"]}]
        filed(ehr, resource)

        [visit] = upcoming(ehr, patient_id, token)
        assert visit["request_id"] == made["request_id"]
        assert request_of(ehr, patient_id, token, made["request_id"])["status"] == "scheduled"

    def test_a_proposed_or_waiting_appointment_naming_the_request_leaves_it_open(self, ehr, clock, amy):
        # GIVEN Amy's request, and the portal's own outbound Appointment "proposed" echoed back by
        # the engine, then one the scheduler put on its waiting list
        patient_id, token = amy
        [team] = [
            t
            for t in call(ehr, "GET", f"/v1/patients/{patient_id}/care-teams", token=token).json_body["care_teams"]
            if t["name"] == "Primary Care"
        ]
        made = asked(ehr, clock, patient_id, token, team["team_id"])
        for status in ("proposed", "pending", "waitlist"):
            resource = sample("r4spec_appointment-example.json")
            resource["status"] = status
            resource["start"], resource["end"] = "2099-03-10T14:00:00Z", "2099-03-10T14:30:00Z"
            resource["identifier"] = [{"system": fhir.APPOINTMENT_REQUEST_SYSTEM, "value": made["request_id"]}]
            filed(ehr, resource)

            # THEN the request still waits for staff: nothing was booked
            still = request_of(ehr, patient_id, token, made["request_id"])
            assert (still["status"], still["scheduled_appointment_id"]) == ("requested", None), status


class TestCancelling:
    def test_the_patient_cancels_before_the_cutoff_and_a_later_feed_update_does_not_undo_it(
        self, seeded, clock, feed, ana
    ):
        patient_id, token = ana
        start = clock.now() + timedelta(days=3)
        feed(siu("S12", "s-1", start))
        [visit] = upcoming(seeded, patient_id, token)
        assert visit["cancellation"]["can_cancel"] is True
        cutoff = (start - timedelta(hours=24)).astimezone(NEW_YORK).replace(microsecond=0)
        assert visit["cancellation"]["cutoff_at"] == cutoff.isoformat()

        cancelled = cancel(seeded, patient_id, token, visit["id"])

        assert cancelled.status_code == 200, cancelled.json_body
        assert (cancelled.json_body["status"], cancelled.json_body["cancelled_by_patient"]) == ("cancelled", True)
        assert cancelled.json_body["cancellation"]["reason"] == "cancelled"
        [listed] = upcoming(seeded, patient_id, token)
        assert listed["status"] == "cancelled" and listed["cancelled_by_patient"] is True
        # the scheduler sends the visit again (a changed room): it stays cancelled
        feed(siu("S14", "s-2", start))
        assert upcoming(seeded, patient_id, token)[0]["status"] == "cancelled"
        [sent] = appointments_on_queue()
        assert fhir.validated(sent) == sent
        assert sent["status"] == "cancelled" and sent["identifier"] == [{"system": "AMC", "value": "APT-1"}]
        assert sent["cancelationReason"]["coding"][0]["code"] == "pat"
        assert "appointment.cancelled" in audited(patient_id)
        again = cancel(seeded, patient_id, token, visit["id"])
        assert again.status_code == 409
        assert again.json_body["error"]["details"] == [{"field": "appointment", "issue": "cancelled"}]

    def test_past_the_cutoff_it_is_refused_with_the_office_phone(self, seeded, clock, feed, ana, admin):
        patient_id, token = ana
        policy = {"cancel_cutoff_hours": 48, "office_phone": "(518) 555-0100"}
        assert call(seeded, "PUT", "/v1/admin/appointment-policy", policy, admin).status_code == 200
        feed(siu("S12", "s-1", clock.now() + timedelta(hours=47)))
        [visit] = upcoming(seeded, patient_id, token)
        assert visit["cancellation"] | {"cutoff_at": None} == {
            "can_cancel": False,
            "reason": "past_cutoff",
            "cutoff_at": None,
            "office_phone": "(518) 555-0100",
        }

        refused = cancel(seeded, patient_id, token, visit["id"])

        assert refused.status_code == 409
        assert refused.json_body["error"]["message"] == (
            "It is too late to cancel online. Please call the office at (518) 555-0100."
        )
        assert refused.json_body["error"]["details"] == [{"field": "appointment", "issue": "past_cutoff"}]
        assert upcoming(seeded, patient_id, token)[0]["status"] == "booked"
        assert appointments_on_queue() == []
        assert "appointment.cancel_refused" in audited(patient_id)

    def test_the_cutoff_passes_as_the_clock_moves(self, seeded, clock, feed, ana, admin):
        patient_id, token = ana
        # an organization that gave no office phone (the demo one has one)
        assert call(seeded, "PUT", "/v1/admin/appointment-policy", {"office_phone": ""}, admin).status_code == 200
        feed(siu("S12", "s-1", clock.now() + timedelta(hours=25)))
        assert upcoming(seeded, patient_id, token)[0]["cancellation"]["can_cancel"] is True

        clock.advance(hours=1, minutes=1)
        token = again(seeded)  # (an hour idle ends a session)

        [visit] = upcoming(seeded, patient_id, token)
        assert visit["cancellation"]["reason"] == "past_cutoff"
        refused = cancel(seeded, patient_id, token, visit["id"])
        assert refused.status_code == 409
        assert refused.json_body["error"]["message"] == "It is too late to cancel online. Please call the office."

    def test_a_visit_over_or_one_not_booked_is_refused_with_its_reason(self, seeded, clock, feed, ana):
        patient_id, token = ana
        pending = siu("S12", "s-2", clock.now() + timedelta(days=3), filler="APT-2").replace("|Booked", "|Pending")
        feed(siu("S12", "s-1", clock.now() + timedelta(hours=1)), pending)
        soon, later = upcoming(seeded, patient_id, token)
        assert later["cancellation"]["reason"] == "not_booked"
        not_booked = cancel(seeded, patient_id, token, later["id"])
        assert not_booked.status_code == 409
        assert not_booked.json_body["error"]["message"] == "Only a booked visit can be cancelled online."

        clock.advance(hours=2)
        over = cancel(seeded, patient_id, again(seeded), soon["id"])

        assert over.status_code == 409 and over.json_body["error"]["details"][0]["issue"] == "started"

    def test_a_resent_cancel_with_the_same_key_answers_the_first(self, seeded, clock, feed, ana):
        patient_id, token = ana
        feed(siu("S12", "s-1", clock.now() + timedelta(days=5)))
        [visit] = upcoming(seeded, patient_id, token)
        first = cancel(seeded, patient_id, token, visit["id"], key="cancel-once")
        again = cancel(seeded, patient_id, token, visit["id"], key="cancel-once")
        assert (first.status_code, again.status_code) == (200, 200)
        assert again.json_body == first.json_body
        assert len(appointments_on_queue()) == 1

    def test_another_patients_visit_is_not_found(self, seeded, clock, feed, ana, staff_token):
        patient_id, token = ana
        chidi = register_and_invite(seeded, staff_token, SOMEONE_ELSE, email="chidi@example.org").patient_id
        feed(siu("S12", "s-1", clock.now() + timedelta(days=5), pid=CHIDI_PID))
        entries, _ = wiring.container().records.page(chidi, "", clock.now(), 10, "", prefix="appointment#")
        [entry] = entries
        for path in (f"/v1/patients/{patient_id}/appointments/{entry.result_id}",):
            assert call(seeded, "GET", path, token=token).status_code == 404
            assert cancel(seeded, patient_id, token, entry.result_id).status_code == 404
            assert cancel(seeded, chidi, token, entry.result_id).status_code == 404


class TestRescheduling:
    def test_a_booked_upcoming_visit_may_be_asked_to_move_and_staff_see_the_visit(
        self, seeded, clock, feed, ana, staff_token
    ):
        patient_id, token = ana
        feed(siu("S12", "s-1", clock.now() + timedelta(days=5)))
        [visit] = upcoming(seeded, patient_id, token)
        body = {
            "reason": "I am travelling that week",
            "mode": "video",
            "preferred": [{"date": day(clock, 12), "time_of_day": "afternoon"}],
        }
        moved = post(seeded, f"/v1/patients/{patient_id}/appointments/{visit['id']}/reschedule", body, token)

        assert moved.status_code == 201, moved.json_body
        assert (moved.json_body["kind"], moved.json_body["appointment_id"]) == ("reschedule", visit["id"])
        assert moved.json_body["care_team"] is None
        staff_view = call(
            seeded, "GET", f"/v1/staff/appointment-requests/{moved.json_body['request_id']}", token=staff_token
        ).json_body
        assert staff_view["appointment"]["id"] == visit["id"]
        [sent] = appointments_on_queue()
        assert fhir.validated(sent) == sent
        assert sent["supportingInformation"] == [
            {"type": "Appointment", "identifier": {"system": "AMC", "value": "APT-1"}}
        ]

    def test_a_visit_gone_by_cannot_be_moved(self, seeded, clock, feed, ana):
        patient_id, token = ana
        feed(siu("S12", "s-1", clock.now() + timedelta(minutes=30)))
        [visit] = upcoming(seeded, patient_id, token)
        clock.advance(hours=1)
        token = again(seeded)
        body = {
            "reason": "Missed it",
            "mode": "in_person",
            "preferred": [{"date": day(clock, 2), "time_of_day": "any"}],
        }
        answer = post(seeded, f"/v1/patients/{patient_id}/appointments/{visit['id']}/reschedule", body, token)
        assert answer.status_code == 409
        assert answer.json_body["error"]["details"] == [{"field": "appointment", "issue": "started"}]


class TestThePolicy:
    def test_an_admin_reads_the_defaults_and_replaces_them_and_bad_fields_are_each_named(
        self, seeded, admin, monkeypatch
    ):
        # an organization that never set one has the defaults (the demo organization is seeded with its own)
        other = other_organization_admin(seeded, monkeypatch)
        defaults = call(seeded, "GET", "/v1/admin/appointment-policy", token=other)
        assert defaults.json_body == {
            "cancel_cutoff_hours": 24,
            "reminder_hours": [72, 24],
            "checkin_opens_days": 3,
            "office_phone": "",
            "video_link_template": "",
        }
        bad = call(
            seeded,
            "PUT",
            "/v1/admin/appointment-policy",
            {"cancel_cutoff_hours": 400, "office_phone": "call us", "video_link_template": "http://x/{name}"},
            admin,
        )
        assert bad.status_code == 400
        assert {d["field"] for d in bad.json_body["error"]["details"]} == {
            "cancel_cutoff_hours",
            "office_phone",
            "video_link_template",
        }
        good = {"cancel_cutoff_hours": 12, "reminder_hours": [24], "office_phone": "518-555-0100"}
        assert call(seeded, "PUT", "/v1/admin/appointment-policy", good, admin).status_code == 200
        assert call(seeded, "GET", "/v1/admin/appointment-policy", token=admin).json_body["cancel_cutoff_hours"] == 12

    def test_staff_who_are_not_admins_cannot_change_it(self, seeded, staff_token):
        answer = call(seeded, "PUT", "/v1/admin/appointment-policy", {"cancel_cutoff_hours": 1}, staff_token)
        assert answer.status_code in (403, 404)


class TestAMerge:
    def test_the_merged_records_request_and_cancelled_visit_follow_the_patient(self, seeded, clock, feed, ana):
        """An earlier record of Ana's (MRN-9) asked for a visit and cancelled another; an A40
        merges it into hers: she sees the request, the booking naming it closes it under her
        record, and the visit she cancelled still reads cancelled."""
        from chalicelib.appointments.requests import AppointmentRequest, Preferred, Status
        from chalicelib.audit.domain import Action
        from chalicelib.audit.trail import ANONYMOUS
        from chalicelib.audit.trail import audit_event as an_audit_event
        from chalicelib.kernel.origin import Origin
        from chalicelib.patients.domain import Identifier

        patient_id, token = ana
        container = wiring.container()
        prior_pid = "PID|1||MRN-9^^^AMC-MRN^MR||Núñez^Ana||19840309|F"
        feed(siu("S12", "p-1", clock.now() + timedelta(days=6), filler="APT-9", pid=prior_pid))
        prior = container.patients.by_identifier("albany-medical-center", Identifier("AMC-MRN", "MRN-9"))
        assert prior is not None and prior.patient_id != patient_id
        [visit], _ = container.records.page(prior.patient_id, "", clock.now(), 10, "", prefix="appointment#")
        origin = Origin(source_ip="127.0.0.1", correlation_id="test")

        def audit():
            return an_audit_event(container, origin, ANONYMOUS, "test", action=Action.UPDATE)

        request = AppointmentRequest(
            request_id="9" * 32,
            patient_id=prior.patient_id,
            organization_id="albany-medical-center",
            kind="new",
            care_team_id="",
            care_team_name="",
            reason="Check-up",
            mode="in_person",
            preferred=(Preferred(clock.now().date() + timedelta(days=3), "any"),),
            status=Status.REQUESTED,
            requested_at=clock.now(),
            updated_at=clock.now(),
            requested_by="someone",
            version=1,
        )
        container.appointment_requests.add(request, None, audit())
        container.appointment_requests.cancel(
            prior.patient_id, visit.result_id, clock.now(), "someone", _an_event(visit.result_id, clock), audit()
        )

        merge = "\r".join(
            [
                "MSH|^~\\&|LAB|AMC|PORTAL|AMC|20261202093000||ADT^A40^ADT_A39|MERGE-1|P|2.5.1",
                "EVN|A40|20261202093000",
                "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
                "MRG|MRN-9^^^AMC-MRN^MR",
            ]
        )
        feed(merge)
        feed(merge.replace("MERGE-1", "MERGE-2"))  # delivered twice: nothing twice

        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/appointment-requests", token=token).json_body
        assert [r["request_id"] for r in mine["appointment_requests"]] == [request.request_id]
        [moved] = [a for a in upcoming(seeded, patient_id, token) if a["id"] == visit.result_id]
        assert moved["status"] == "cancelled" and moved["cancelled_by_patient"] is True
        feed(siu("S12", "s-3", clock.now() + timedelta(days=8), placer=request.request_id, filler="APT-10"))
        assert request_of(seeded, patient_id, token, request.request_id)["status"] == "scheduled"


def _an_event(entry_id: str, clock):
    from chalicelib.outbound import producer
    from chalicelib.outbound.domain import APPOINTMENT

    resource = fhir.appointment_cancellation(
        appointment=("AMC", "APT-9"), patient=fhir.PatientIdentifier("AMC-MRN", "MRN-9"), reason="Cancelled"
    )
    return producer.event(f"appointment-{entry_id}-cancelled", "x" * 32, APPOINTMENT, resource, "AMC-MRN", clock.now())
