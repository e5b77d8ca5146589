"""The demo patient's visits that are always near: the static demo feed's appointment is months
away, so a person trying the portal could never check in or join a video visit. Each `make run`
books, through the real feed (SIU S12), a visit two days ahead (check-in is open) and a video
visit starting ten minutes after the seed (its join link shows at once, for the next 70 minutes).
Their ids carry the day they were made, so seeding again the same day sends nothing new."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.wiring import Container

# The demo organization's appointment policy (555-01xx numbers are reserved for fiction; the
# video host is a placeholder: a deployment sets its own, docs/deploying.md).
DEMO_APPOINTMENT_POLICY = {
    "cancel_cutoff_hours": 24,
    "reminder_hours": [72, 24],
    "checkin_opens_days": 3,
    "office_phone": "(518) 555-0100",
    "video_link_template": "https://video.example.org/join/{appointment_id}",
}


def _hl7_time(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def demo_visit_messages(now: datetime, time_zone: str) -> list[str]:
    """Two SIU S12 bookings for the demo patient, in the organization's wall clock (as the demo
    feed writes its times: without an offset)."""
    local = now.astimezone(ZoneInfo(time_zone))
    checkin_start = (local + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    video_start = (local + timedelta(minutes=10)).replace(second=0, microsecond=0)
    day, minute = local.strftime("%Y%m%d"), local.strftime("%Y%m%d%H%M")
    visits = [
        (f"DEMO-CHK-{day}", checkin_start, 30, "PHYSICAL^Annual physical", "AMC-FM^^^AMC Family Medicine"),
        (f"DEMO-VID-{minute}", video_start, 60, "VIDEO^Video visit", "VIDEO^^^Video visit"),
    ]
    messages = []
    for appointment_id, start, minutes, kind, place in visits:
        end = start + timedelta(minutes=minutes)
        messages.append(
            "\r".join(
                [
                    f"MSH|^~\\&|CADENCE|AMC|PORTAL|AMC|{_hl7_time(local)}||SIU^S12^SIU_S12|{appointment_id}|P|2.5.1",
                    f"SCH|{appointment_id}^CADENCE|{appointment_id}^CADENCE|||||{kind}|{kind}|{minutes}|min|"
                    f"^^{minutes}^{_hl7_time(start)}^{_hl7_time(end)}||||||||||||||Booked",
                    "PID|1||AMC-100001^^^AMC-MRN^MR||Rivera^Dana^M||19800412|F",
                    "RGS|1|A",
                    f"AIL|1||{place}",
                    "AIP|1||1234^Okoro^Grace^^^Dr^MD",
                ]
            )
        )
    return messages


def send_demo_visits(container: Container, organization_id: str, time_zone: str) -> int:
    """Set the demo organization's appointment policy, and book the two near visits through the
    inbound feed queue (after the demo feed's registration of the patient: the same group)."""
    container.directory.set_appointment_policy(organization_id, DEMO_APPOINTMENT_POLICY)
    sqs = container.client("sqs")
    messages = demo_visit_messages(container.clock.now(), time_zone)
    for body in messages:
        sqs.send_message(
            QueueUrl=container.settings.clinical_inbound_queue_url, MessageBody=body, MessageGroupId="demo-ehr"
        )
    return len(messages)
