"""The reminders set for each filed appointment (appointments/reminder_plan.py), one item per
visit in the records table under "appointment-reminders#<patient>" at "appointment#<entry id>".

A partition of its own, not the patient's: the patient's partition holds record items only
(a merge copies them all as records). Written whole each time: the feed files one patient's
messages one at a time (FIFO by sender), and a patient's cancel only ever clears the timers."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError, PynamoDBException
from pynamodb.models import Model

from chalicelib.appointments.reminder_plan import ReminderPlan
from chalicelib.data.dynamo import conditional_failure
from chalicelib.errors import DependencyUnavailable

_UNAVAILABLE = "The appointment reminders store is unavailable."


class AppointmentRemindersModel(Model):
    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "appointment-reminders#<patient_id>"
    record_key = UnicodeAttribute(range_key=True)  # "appointment#<entry_id>"
    organization_id = UnicodeAttribute(null=False)
    generation = NumberAttribute(null=False)
    starts_at = UTCDateTimeAttribute(null=True)  # the start the timers were set for
    hours = JSONAttribute(null=False)  # [72, 24]
    timers = JSONAttribute(null=False)  # the Step Functions execution names started
    scheduler_id = UnicodeAttribute(null=True)
    cancelled_by_patient = BooleanAttribute(null=False)
    updated_at = UTCDateTimeAttribute(null=True)


def _partition(patient_id: str) -> str:
    return f"appointment-reminders#{patient_id}"


class DynamoReminderPlans:
    def get(self, patient_id: str, entry_id: str) -> ReminderPlan | None:
        try:
            item = AppointmentRemindersModel.get(
                _partition(patient_id), f"appointment#{entry_id}", consistent_read=True
            )
        except AppointmentRemindersModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return ReminderPlan(
            patient_id=patient_id,
            entry_id=entry_id,
            organization_id=item.organization_id,
            generation=int(item.generation),
            starts_at=item.starts_at,
            hours=tuple(int(h) for h in item.hours or ()),
            timers=tuple(str(t) for t in item.timers or ()),
            scheduler_id=item.scheduler_id or "",
            cancelled_by_patient=bool(item.cancelled_by_patient),
            updated_at=item.updated_at,
        )

    def put(self, plan: ReminderPlan, now: datetime) -> None:
        try:
            AppointmentRemindersModel(
                _partition(plan.patient_id),
                f"appointment#{plan.entry_id}",
                organization_id=plan.organization_id,
                generation=plan.generation,
                starts_at=plan.starts_at,
                hours=list(plan.hours),
                timers=list(plan.timers),
                scheduler_id=plan.scheduler_id or None,
                cancelled_by_patient=plan.cancelled_by_patient,
                updated_at=now,
            ).save()
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def move_plans(self, from_patient: str, to_patient: str) -> list[str]:
        """A merge: each visit's plan of the merged patient copied under the survivor where it has
        none, then the merged patient's cleared of its timers. Their messages name the merged
        patient, so a timer of theirs that fires from now on finds itself no longer named and
        sends nothing; the copy still names them, and has no start (unless the patient had
        cancelled the visit), so setting the survivor's reminders (keep_reminders) stops them and
        starts the survivor's own. Idempotent. Returns the entry ids of the merged patient's plans."""
        entry_ids = []
        try:
            for item in AppointmentRemindersModel.query(
                _partition(from_patient), AppointmentRemindersModel.record_key.startswith("appointment#")
            ):
                entry_ids.append(item.record_key.removeprefix("appointment#"))
                timers = list(item.timers or ())
                copy = AppointmentRemindersModel(
                    _partition(to_patient),
                    item.record_key,
                    organization_id=item.organization_id,
                    generation=item.generation,
                    starts_at=item.starts_at if item.cancelled_by_patient else None,
                    hours=list(item.hours or ()),
                    timers=timers,
                    scheduler_id=item.scheduler_id,
                    cancelled_by_patient=item.cancelled_by_patient,
                    updated_at=item.updated_at,
                )
                try:
                    copy.save(condition=AppointmentRemindersModel.record_key.does_not_exist())
                except PutError as error:
                    if not conditional_failure(error):
                        raise
                if timers:
                    item.update(actions=[AppointmentRemindersModel.timers.set([])])
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return entry_ids
