"""The pure rules of appointment requests and cancellation: until when a visit may be cancelled
online (the organization's cutoff) and why not after; the states a request goes through and who
may move it; a patient's preferred days as periods of the organization's clock, on the days the
clocks change too; which ids of a booking name a portal request; and the FHIR Appointments a
booking and a closed request send."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.appointments import booking, cancellation, requests
from chalicelib.appointments.policy import AppointmentPolicy
from chalicelib.appointments.requests import AppointmentRequest, Preferred, RefusedChange, Slot, Status
from chalicelib.outbound import fhir
from chalicelib.outbound.domain import InvalidOutboundEvent
from chalicelib.records.domain import SentIdentifier

NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
NEW_YORK = "America/New_York"
DEFAULT = AppointmentPolicy()
PATIENT = fhir.PatientIdentifier("AMC-MRN", "MRN-1001")


# -- cancellation ---------------------------------------------------------------------------------


def verdict(status="booked", hours_ahead: float = 48, policy=DEFAULT, by_patient=False):
    starts = NOW + timedelta(hours=hours_ahead) if hours_ahead is not None else None
    return cancellation.verdict(status, starts, NOW, policy, by_patient)


def test_a_booked_visit_may_be_cancelled_until_the_cutoff_and_not_from_it():
    assert verdict(hours_ahead=24.01) == cancellation.CancelVerdict(True, None, NOW + timedelta(hours=0.01))
    assert verdict(hours_ahead=24).reason == "past_cutoff"  # the cutoff's own moment is too late
    assert verdict(hours_ahead=1).reason == "past_cutoff"


def test_the_organizations_cutoff_applies_and_zero_means_until_the_start():
    assert verdict(hours_ahead=30, policy=AppointmentPolicy(cancel_cutoff_hours=48)).reason == "past_cutoff"
    assert verdict(hours_ahead=0.5, policy=AppointmentPolicy(cancel_cutoff_hours=0)).can_cancel is True


@pytest.mark.parametrize(
    ("status", "hours_ahead", "by_patient", "reason"),
    [
        ("cancelled", 48, False, "cancelled"),
        ("booked", 48, True, "cancelled"),
        ("entered-in-error", 48, False, "cancelled"),
        ("booked", -1, False, "started"),
        ("booked", 0, False, "started"),
        ("arrived", 48, False, "started"),
        ("fulfilled", 48, False, "started"),
        ("pending", 48, False, "not_booked"),
        ("proposed", 48, False, "not_booked"),
        ("waitlist", 48, False, "not_booked"),
    ],
)
def test_why_a_visit_cannot_be_cancelled(status, hours_ahead, by_patient, reason):
    assert verdict(status, hours_ahead, by_patient=by_patient).reason == reason


def test_a_visit_without_a_start_cannot_be_cancelled_and_has_no_cutoff():
    assert cancellation.verdict("booked", None, NOW, DEFAULT, False) == cancellation.CancelVerdict(
        False, "started", None
    )


def test_past_the_cutoff_the_patient_is_told_to_call_with_the_number_when_there_is_one():
    assert cancellation.too_late(AppointmentPolicy(office_phone="(518) 555-0100")) == (
        "It is too late to cancel online. Please call the office at (518) 555-0100."
    )
    assert cancellation.too_late(DEFAULT) == "It is too late to cancel online. Please call the office."


# -- the states of a request ----------------------------------------------------------------------


def a_request(status: Status = Status.REQUESTED, **changes) -> AppointmentRequest:
    request = AppointmentRequest(
        request_id="a" * 32,
        patient_id="p" * 32,
        organization_id="albany",
        kind="new",
        care_team_id="t" * 32,
        care_team_name="Primary Care",
        reason="Knee pain",
        mode="in_person",
        preferred=(Preferred(date(2026, 12, 10), "morning"),),
        status=status,
        requested_at=NOW,
        updated_at=NOW,
        requested_by="account-1",
    )
    return replace(request, **changes)


SLOT = Slot(NOW + timedelta(days=3), 30, "Dr Rivera", "Room 4", "in_person")
LATER = NOW + timedelta(minutes=5)


def test_the_patient_takes_a_proposal_or_turns_it_down_which_clears_it():
    proposed = requests.proposed(a_request(), SLOT, "", "staff-1", "sam", NOW)
    assert proposed.status is Status.PROPOSED and proposed.proposal == SLOT

    taken = requests.answered(proposed, True, LATER)
    turned_down = requests.answered(proposed, False, LATER)

    assert (taken.status, taken.proposal, taken.updated_at) == (Status.ACCEPTED, SLOT, LATER)
    assert (turned_down.status, turned_down.proposal) == (Status.REQUESTED, None)


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.PROPOSED])
def test_only_a_proposal_can_be_answered(status):
    with pytest.raises(RefusedChange):
        requests.answered(a_request(status), True, LATER)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(Status.REQUESTED, True), (Status.PROPOSED, True), (Status.ACCEPTED, True)]
    + [(s, False) for s in (Status.BOOKED, Status.SCHEDULED, Status.DECLINED, Status.WITHDRAWN)],
)
def test_the_patient_withdraws_what_staff_have_not_booked(status, allowed):
    if allowed:
        assert requests.withdrawn(a_request(status), LATER).status is Status.WITHDRAWN
    else:
        with pytest.raises(RefusedChange):
            requests.withdrawn(a_request(status), LATER)


@pytest.mark.parametrize("status", list(Status))
def test_staff_book_or_propose_only_what_waits_on_them(status):
    for decide in (requests.booked, requests.proposed):
        if status in (Status.REQUESTED, Status.ACCEPTED):
            assert decide(a_request(status), SLOT, "note", "staff-1", "sam", LATER).decided_by_name == "sam"
        else:
            with pytest.raises(RefusedChange):
                decide(a_request(status), SLOT, "note", "staff-1", "sam", LATER)


def test_staff_decline_any_open_request_even_a_booking_the_feed_never_confirmed():
    declined = requests.declined(a_request(Status.BOOKED), "No room", "staff-1", "sam", LATER)
    assert (declined.status, declined.decline_reason) == (Status.DECLINED, "No room")
    with pytest.raises(RefusedChange, match="closed"):
        requests.declined(a_request(Status.WITHDRAWN), "No room", "staff-1", "sam", LATER)


@pytest.mark.parametrize("status", list(Status))
def test_a_feed_booking_closes_a_request_from_any_open_state_and_leaves_a_closed_one(status):
    closed = requests.scheduled(a_request(status), "e" * 32, LATER)
    if status in requests.CLOSED:
        assert closed is None
    else:
        assert closed is not None
        assert (closed.status, closed.scheduled_appointment_id) == (Status.SCHEDULED, "e" * 32)


def test_each_state_is_in_one_staff_queue():
    assert {s: requests.queue_of(s) for s in Status} == {
        Status.REQUESTED: "to_do",
        Status.ACCEPTED: "to_do",
        Status.PROPOSED: "waiting",
        Status.BOOKED: "waiting",
        Status.SCHEDULED: "done",
        Status.DECLINED: "done",
        Status.WITHDRAWN: "done",
    }


# -- days and times -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "time_of_day", "start_utc", "end_utc"),
    [
        # a winter day in New York (UTC-5)
        (date(2026, 12, 10), "morning", "2026-12-10T13:00:00+00:00", "2026-12-10T17:00:00+00:00"),
        (date(2026, 12, 10), "afternoon", "2026-12-10T17:00:00+00:00", "2026-12-10T22:00:00+00:00"),
        # the day the clocks go forward (08:00 is already UTC-4) and the day before it
        (date(2026, 3, 8), "any", "2026-03-08T12:00:00+00:00", "2026-03-08T21:00:00+00:00"),
        (date(2026, 3, 7), "any", "2026-03-07T13:00:00+00:00", "2026-03-07T22:00:00+00:00"),
        # the day the clocks go back (08:00 is already UTC-5 again)
        (date(2026, 11, 1), "morning", "2026-11-01T13:00:00+00:00", "2026-11-01T17:00:00+00:00"),
    ],
)
def test_a_preferred_day_is_a_period_of_the_organizations_clock(day, time_of_day, start_utc, end_utc):
    start, end = requests.period_of(Preferred(day, time_of_day), NEW_YORK)
    assert (start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()) == (start_utc, end_utc)


def test_a_preferred_day_is_from_today_to_90_days_ahead_on_the_organizations_calendar():
    late_evening = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # still 4 December in New York
    assert requests.preferred_problem(date(2026, 12, 4), NEW_YORK, late_evening) == ""
    assert requests.preferred_problem(date(2026, 12, 3), NEW_YORK, late_evening) == "is in the past"
    assert requests.preferred_problem(date(2027, 3, 4), NEW_YORK, late_evening) == ""  # 90 days
    assert requests.preferred_problem(date(2027, 3, 5), NEW_YORK, late_evening) == "is more than 90 days ahead"


def test_a_time_staff_type_is_the_organizations_wall_clock_unless_it_carries_an_offset():
    assert requests.slot_start("2026-03-08T09:30", NEW_YORK) == datetime(2026, 3, 8, 13, 30, tzinfo=UTC)
    assert requests.slot_start("2026-03-07T09:30", NEW_YORK) == datetime(2026, 3, 7, 14, 30, tzinfo=UTC)
    assert requests.slot_start("2026-03-07T09:30:00+00:00", NEW_YORK) == datetime(2026, 3, 7, 9, 30, tzinfo=UTC)
    assert requests.slot_start("2026-02-30T09:30", NEW_YORK) is None


# -- which ids of a booking name a request --------------------------------------------------------


def test_a_booking_names_a_request_by_its_placer_id_or_the_portals_system_only():
    request_id = "b" * 32
    ids = (
        SentIdentifier("APT-1", "FILL", "AMC"),
        SentIdentifier(request_id, "PLAC", "AMC"),
        SentIdentifier("c" * 32, "FILL", "", fhir.APPOINTMENT_REQUEST_SYSTEM),
        SentIdentifier("d" * 32, "FILL", "AMC"),  # the scheduler's own id that looks like one: not a request
        SentIdentifier("not-a-request", "PLAC", "AMC"),
    )
    assert booking.named_requests(ids) == [request_id, "c" * 32]
    assert booking.scheduler_id(ids) == ("AMC", "APT-1")
    assert booking.scheduler_id((SentIdentifier(request_id, "PLAC", "AMC"),)) is None


# -- the FHIR Appointments of a booking and of a closed request ------------------------------------


def test_a_booking_is_a_valid_booked_appointment_with_the_request_identifier_and_the_slot():
    booked = fhir.appointment_booking(
        request_id="r-1",
        patient=PATIENT,
        care_team_id="t-1",
        start=NOW,
        minutes=45,
        mode="video",
        clinician="Dr Rivera",
        place="Room 4",
        note="Bring your brace",
    )
    assert booked["status"] == "booked"
    assert booked["identifier"] == [{"system": fhir.APPOINTMENT_REQUEST_SYSTEM, "value": "r-1"}]
    assert (booked["start"], booked["end"], booked["minutesDuration"]) == (
        "2026-12-05T15:00:00Z",
        "2026-12-05T15:45:00Z",
        45,
    )
    assert [p["actor"].get("display") for p in booked["participant"]] == [None, None, "Dr Rivera", "Room 4"]
    with pytest.raises(InvalidOutboundEvent):
        fhir.appointment_booking(request_id="r-1", patient=PATIENT, care_team_id="", start=NOW, minutes=0, mode="video")


@pytest.mark.parametrize(("by", "code", "declined"), [("patient", "pat", 0), ("clinic", "prov", 1)])
def test_a_closed_request_is_a_cancelled_appointment_naming_who_ended_it(by, code, declined):
    closed = fhir.appointment_request_closed(
        request_id="r-1", patient=PATIENT, care_team_id="t-1", by=by, reason="No room"
    )
    assert closed["status"] == "cancelled"
    assert closed["cancelationReason"]["coding"][0]["code"] == code
    assert closed["participant"][declined]["status"] == "declined"
    with pytest.raises(InvalidOutboundEvent):
        fhir.appointment_request_closed(request_id="r-1", patient=PATIENT, care_team_id="t-1", by="robot")


def test_a_request_to_move_a_visit_names_the_visit_and_may_have_no_care_team():
    moved = fhir.appointment_request(
        request_id="r-2",
        patient=PATIENT,
        care_team_id="",
        reason="Travelling",
        preferred=[(NOW, NOW + timedelta(hours=4))],
        mode="in-person",
        created=NOW,
        moves=("AMC", "APT-1"),
    )
    assert moved["supportingInformation"] == [
        {"type": "Appointment", "identifier": {"system": "AMC", "value": "APT-1"}}
    ]
    assert len(moved["participant"]) == 1


# -- a cancellation stops the visit's reminders ---------------------------------------------------


def test_a_cancellation_stops_the_reminders_and_a_reminders_outage_does_not_undo_it(monkeypatch):
    from chalicelib.appointments import service
    from chalicelib.errors import DependencyUnavailable

    stopped = []
    monkeypatch.setattr(
        service,
        "stop_reminders",
        lambda ports, patient_id, entry_id, now, starts_at=None: stopped.append((patient_id, entry_id)),
    )
    service.on_cancelled(object(), "p-1", "e-1", NOW)
    assert stopped == [("p-1", "e-1")]

    def down(*_):
        raise DependencyUnavailable("The reminders store is unavailable.")

    monkeypatch.setattr(service, "stop_reminders", down)
    service.on_cancelled(object(), "p-1", "e-1", NOW)  # logged and counted, not raised
