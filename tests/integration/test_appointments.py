"""The patient's appointments (GET /v1/patients/{id}/appointments): visits the scheduling feeds
sent, as SIU and as FHIR Appointment, on either side of now by the portal's clock."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from tests.integration.identity.conftest import call, enrolled, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.test_health_summary import amy, ehr, filed, sample, siu  # noqa: F401  (fixtures)
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

NEW_YORK = ZoneInfo("America/New_York")  # the demo organization's zone


def appointments(api, patient_id: str, token: str, query: str = "") -> dict:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/appointments{query}", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body


def hl7_time(moment) -> str:
    """A moment as the scheduler's wall clock writes it in SIU (New York's, no offset)."""
    return f"{moment.astimezone(NEW_YORK):%Y%m%d%H%M%S}"


def test_an_siu_booking_shows_as_upcoming_with_its_place_clinician_and_zone(clock, feed, ana, seeded):
    patient_id, token = ana
    start = clock.now() + timedelta(days=3)
    feed(siu("S12", "s-1", start=hl7_time(start)))

    page = appointments(seeded, patient_id, token)

    [booked] = page["appointments"]
    assert page["time_zone"] == booked["time_zone"] == "America/New_York"
    assert booked["starts_at"] == start.astimezone(NEW_YORK).replace(microsecond=0).isoformat()
    assert (booked["status"], booked["clinicians"], booked["minutes"]) == ("booked", ["Marcus Welby MD"], 30)
    assert booked["description"] == "Annual physical"
    assert appointments(seeded, patient_id, token, "?when=past")["appointments"] == []
    listed = [e for e in call(seeded, "GET", f"/v1/patients/{patient_id}/access-log", token=token).json_body["events"]]
    assert any(e.get("resource_type") == "Appointment" for e in listed)


def test_a_visit_moves_from_upcoming_to_past_once_the_clock_passes_its_start(clock, feed, ana, seeded):
    patient_id, token = ana
    feed(siu("S12", "s-1", start=hl7_time(clock.now() + timedelta(minutes=5))))
    assert len(appointments(seeded, patient_id, token)["appointments"]) == 1

    clock.advance(minutes=6)

    assert appointments(seeded, patient_id, token)["appointments"] == []
    [gone] = appointments(seeded, patient_id, token, "?when=past")["appointments"]
    assert gone["status"] == "booked"


def test_a_cancelled_visit_stays_listed_as_cancelled(clock, feed, ana, seeded):
    patient_id, token = ana
    start = hl7_time(clock.now() + timedelta(days=2))
    feed(siu("S12", "s-1", start=start))
    feed(siu("S15", "s-2", start=start))

    [cancelled] = appointments(seeded, patient_id, token)["appointments"]
    assert cancelled["status"] == "cancelled"


def test_upcoming_are_soonest_first_past_newest_first_and_both_page(clock, feed, ana, seeded):
    patient_id, token = ana
    now = clock.now()
    for number, days in enumerate((30, 5, -40, -3)):
        body = siu("S12", f"s-{number}", start=hl7_time(now + timedelta(days=days))).replace("APT-1", f"APT-{number}")
        feed(body)

    upcoming = appointments(seeded, patient_id, token)["appointments"]
    past = appointments(seeded, patient_id, token, "?when=past")["appointments"]
    first = appointments(seeded, patient_id, token, "?limit=1")
    rest = appointments(seeded, patient_id, token, "?limit=1&cursor=" + first["next_cursor"])

    day = lambda days: f"{(now + timedelta(days=days)).astimezone(NEW_YORK):%Y-%m-%d}"  # noqa: E731
    assert [a["starts_at"][:10] for a in upcoming] == [day(5), day(30)]
    assert [a["starts_at"][:10] for a in past] == [day(-3), day(-40)]
    assert [a["starts_at"][:10] for a in first["appointments"] + rest["appointments"]] == [day(5), day(30)]
    assert rest["next_cursor"] is None


def test_a_fhir_video_appointment_shows_its_place_clinician_and_mode(clock, amy, ehr):
    patient_id, token = amy
    resource = sample("r4spec_appointment-example.json")
    resource["start"] = "2099-03-10T14:00:00Z"
    resource["end"] = "2099-03-10T14:30:00Z"
    resource["serviceType"] = [{"coding": [{"code": "video", "display": "Telehealth video visit"}]}]
    filed(ehr, resource)

    [visit] = appointments(ehr, patient_id, token)["appointments"]

    assert (visit["starts_at"], visit["ends_at"]) == ("2099-03-10T10:00:00-04:00", "2099-03-10T10:30:00-04:00")
    assert visit["clinicians"] == ["Dr Adam Careful"]
    assert visit["places"] == ["South Wing, second floor"]
    assert visit["type"] == "A follow up visit from a previous appointment"
    assert visit["mode"] == "video"


def test_another_patients_appointments_are_404_and_bad_queries_400(clock, amy, ana, ehr):
    amy_id, _ = amy
    ana_id, ana_token = ana
    assert call(ehr, "GET", f"/v1/patients/{amy_id}/appointments", token=ana_token).status_code == 404
    for bad in ("?when=later", "?limit=0", "?limit=51"):
        assert call(ehr, "GET", f"/v1/patients/{ana_id}/appointments{bad}", token=ana_token).status_code == 400
    assert call(ehr, "GET", f"/v1/patients/{ana_id}/appointments").status_code == 401
