"""Joining a video visit (POST .../appointments/{id}/video-link): the link the scheduling system
sent, or the organization's template, handed out from 15 minutes before the start until the end,
audited, and never in the list."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib import wiring
from chalicelib.data.appointment_reminders import AppointmentRemindersModel
from tests.integration.identity.conftest import call, enrolled, seeded, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.test_health_summary import amy, ehr, filed, sample, siu  # noqa: F401  (fixtures)
from tests.integration.test_appointments import hl7_time
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

LINK = "https://video.example.org/join/abc?pin=123&lang=en"
ORG = "albany-medical-center"


def video_siu(start, link: str = LINK) -> str:
    """A booking of a video visit, its join link in an NTE of type VIDEO (when given)."""
    lines = siu("S12", "s-1", start=hl7_time(start)).replace("^Annual physical", "^Video visit").split("\r")
    if link:
        lines.insert(2, f"NTE|1||{link.replace('&', chr(92) + 'T' + chr(92))}|VIDEO")
    return "\r".join(lines)


def join(api, patient_id: str, appointment_id: str, token: str):
    return call(api, "POST", f"/v1/patients/{patient_id}/appointments/{appointment_id}/video-link", token=token)


def only_visit(api, patient_id: str, token: str) -> dict:
    [visit] = call(api, "GET", f"/v1/patients/{patient_id}/appointments", token=token).json_body["appointments"]
    return visit


def test_the_link_is_refused_before_the_window_given_inside_it_and_refused_after(clock, feed, ana, seeded):
    # GIVEN a 30-minute video visit tomorrow whose scheduler sent its link
    patient_id, token = ana
    start = clock.now() + timedelta(days=1)
    feed(video_siu(start))
    visit = only_visit(seeded, patient_id, token)
    assert visit["video"]["state"] == "not_yet" and visit["video"]["has_link"] is True
    assert LINK not in repr(visit)  # the list never carries the link

    # WHEN she asks 16 minutes before the start THEN it is not open yet, and says when it opens
    clock.advance(days=1, minutes=-16)
    token = sign_in(seeded, "ana.nunez", "correct horse battery")
    early = join(seeded, patient_id, visit["id"], token)
    assert early.status_code == 409
    assert early.json_body["error"]["details"] == [{"field": "appointment", "issue": "not_open_yet"}]
    opens = datetime.fromisoformat(visit["video"]["opens_at"])
    clock_words = f"{opens.hour % 12 or 12}:{opens.minute:02d} {'AM' if opens.hour < 12 else 'PM'}"
    assert f"opens on {opens:%B} {opens.day} at {clock_words}" in early.json_body["error"]["message"]

    # WHEN the window opens (15 minutes before) THEN she gets the link, and the read is audited
    clock.advance(minutes=1)
    answer = join(seeded, patient_id, visit["id"], token)
    assert answer.status_code == 200, answer.json_body
    assert answer.json_body == {"url": LINK, "closes_at": visit["video"]["closes_at"]}
    assert only_visit(seeded, patient_id, token)["video"]["state"] == "open"
    log = call(seeded, "GET", f"/v1/patients/{patient_id}/access-log", token=token).json_body["events"]
    assert any(e["what"] == "appointments.video.open" for e in log)

    # WHEN the visit's 30 minutes are over THEN the link is refused as ended
    clock.advance(minutes=45)
    token = sign_in(seeded, "ana.nunez", "correct horse battery")  # (idle past the session's 15 minutes)
    late = join(seeded, patient_id, visit["id"], token)
    assert late.status_code == 409
    assert late.json_body["error"]["details"] == [{"field": "appointment", "issue": "ended"}]


def test_without_a_sent_link_the_organizations_template_names_the_schedulers_id(clock, feed, ana, seeded):
    patient_id, token = ana
    wiring.container().directory.set_appointment_policy(
        ORG, {"video_link_template": "https://meet.example.org/room/{appointment_id}"}
    )
    feed(video_siu(clock.now() + timedelta(minutes=10), link=""))
    visit = only_visit(seeded, patient_id, token)

    answer = join(seeded, patient_id, visit["id"], token)

    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["url"] == "https://meet.example.org/room/APT-1"


def test_an_in_person_visit_or_one_without_a_link_has_none(clock, feed, ana, seeded):
    patient_id, token = ana
    feed(siu("S12", "s-1", start=hl7_time(clock.now() + timedelta(minutes=10))))
    visit = only_visit(seeded, patient_id, token)
    assert visit["video"] is None

    answer = join(seeded, patient_id, visit["id"], token)

    assert answer.status_code == 404
    assert answer.json_body["error"]["message"] == "This visit has no video link."


def test_another_patients_visit_is_404_however_it_is_asked(clock, feed, ana, amy, ehr):
    ana_id, ana_token = ana
    amy_id, amy_token = amy
    resource = sample("r4spec_appointment-example.json")
    start = clock.now() + timedelta(minutes=5)
    resource["start"] = f"{start:%Y-%m-%dT%H:%M:%SZ}"
    resource["end"] = f"{start + timedelta(minutes=30):%Y-%m-%dT%H:%M:%SZ}"
    resource["extension"] = [
        {
            "url": "http://hl7.org/fhir/5.0/StructureDefinition/extension-Appointment.virtualService",
            "extension": [{"url": "address", "valueUrl": LINK}],
        }
    ]
    filed(ehr, resource)
    [amys] = call(ehr, "GET", f"/v1/patients/{amy_id}/appointments", token=amy_token).json_body["appointments"]
    assert join(ehr, amy_id, amys["id"], amy_token).json_body["url"] == LINK  # her own: open

    assert join(ehr, amy_id, amys["id"], ana_token).status_code == 404  # her record, by another patient
    assert join(ehr, ana_id, amys["id"], ana_token).status_code == 404  # her visit, under another's record
    assert join(ehr, ana_id, "f" * 32, ana_token).status_code == 404


def test_the_health_summarys_appointments_never_carry_the_link(clock, feed, ana, seeded, staff_token):
    # GIVEN a video visit whose scheduler sent its link, its window open now
    patient_id, token = ana
    feed(video_siu(clock.now() + timedelta(minutes=5)))

    # WHEN the patient, and staff helping her, read the health summary's appointments
    mine = call(seeded, "GET", f"/v1/patients/{patient_id}/health-summary/appointments", token=token)
    staffs = call(seeded, "GET", f"/v1/staff/patients/{patient_id}/health-summary/appointments", token=staff_token)

    # THEN the visit is listed, without its link (handed out only by the audited join)
    for answer in (mine, staffs):
        assert answer.status_code == 200, answer.json_body
        [entry] = answer.json_body["appointments"]
        assert "video_link" not in entry and "video.example.org" not in repr(entry)


def test_a_template_without_the_schedulers_id_offers_no_link(clock, feed, ana, seeded):
    # GIVEN an organization with a link template, and a video visit filed before the portal kept
    # the scheduling system's ids (so the template has no id to name)
    patient_id, token = ana
    wiring.container().directory.set_appointment_policy(
        ORG, {"video_link_template": "https://meet.example.org/room/{appointment_id}"}
    )
    feed(video_siu(clock.now() + timedelta(minutes=5), link="").replace("|APT-1^AMC|", "|APT-1|"))
    visit = only_visit(seeded, patient_id, token)
    AppointmentRemindersModel.get(f"appointment-reminders#{patient_id}", f"appointment#{visit['id']}").delete()
    assert wiring.container().appointment_requests.visit_mark(patient_id, visit["id"]) is None

    # WHEN she reads the visit THEN it is a video visit, open, that says it has no link
    visit = only_visit(seeded, patient_id, token)
    assert visit["video"]["state"] == "open"
    assert visit["video"]["has_link"] is False
    one = call(seeded, "GET", f"/v1/patients/{patient_id}/appointments/{visit['id']}", token=token).json_body
    assert one["video"]["has_link"] is False
    # (as the join says)
    assert join(seeded, patient_id, visit["id"], token).status_code == 404
