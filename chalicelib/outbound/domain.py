"""The outbound event: what is sent, to which message group, under which deduplication id.

Standard library only: the FHIR builders (outbound.fhir) make the resource; this module says what
an event must be so that sending it twice, late or out of a crash is harmless."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# The kinds of event, as the ``kind`` message attribute carries them (docs/integrating.md).
MESSAGE = "message"  # a Communication: a patient's or staff member's message to a care team
REFILL_REQUEST = "refill-request"  # a Task: a refill asked for, accepted or rejected
APPOINTMENT = "appointment"  # an Appointment: a visit the patient asks for (proposed) or cancels
QUESTIONNAIRE_RESPONSE = "questionnaire-response"  # a QuestionnaireResponse: answers given at check-in
SIGNED_FORM = "signed-form"  # a DocumentReference: a form the patient signed, described, never its bytes
KINDS = {
    MESSAGE: "Communication",
    REFILL_REQUEST: "Task",
    APPOINTMENT: "Appointment",
    QUESTIONNAIRE_RESPONSE: "QuestionnaireResponse",
    SIGNED_FORM: "DocumentReference",
}

# SQS deduplication ids are at most 128 characters of letters, digits and punctuation; ours are
# narrower so that an id can never carry free text (a name, a note) by accident.
EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._-]{0,99}")
# The message group: the portal's opaque patient id (kernel.keys.RECORD_ID's form and more), never
# an MRN or a name, which SQS would show to anyone who may read the queue's metadata.
GROUP_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# SQS takes bodies up to 256 KiB; a resource near that is a bug (attachments travel as ids).
MAX_BODY_BYTES = 200_000


class InvalidOutboundEvent(ValueError):
    """An event the code built wrongly (an invalid resource, an id that could carry PHI). Never
    a user's mistake: it is raised loudly and nothing is stored or sent."""


@dataclass(frozen=True)
class OutboundEvent:
    event_id: str  # the deduplication id: the consumer applies each event id once
    patient_id: str  # the portal's patient id: the FIFO message group
    kind: str  # one of KINDS
    resource: dict[str, Any]  # the FHIR R4 resource as JSON, validated by outbound.fhir
    patient_system: str  # the system (assigning authority) of the patient's identifier in the resource
    created_at: datetime

    def __post_init__(self) -> None:
        if not EVENT_ID.fullmatch(self.event_id):
            raise InvalidOutboundEvent("an outbound event id is 1 to 100 letters, digits and : . _ -")
        if not GROUP_ID.fullmatch(self.patient_id):
            raise InvalidOutboundEvent("an outbound event's patient is the portal's opaque patient id")
        if KINDS.get(self.kind) != self.resource.get("resourceType"):
            raise InvalidOutboundEvent(f"a {self.kind!r} event carries a {KINDS.get(self.kind)} resource")
        if not self.patient_system or len(self.patient_system) > 256:
            raise InvalidOutboundEvent("an outbound event names the system of its patient's identifier")

    def attributes(self) -> dict[str, str]:
        """The SQS message attributes: routing facts only, never PHI (no name, MRN or text)."""
        return {
            "kind": self.kind,
            "event_id": self.event_id,
            "resource_type": KINDS[self.kind],
            "patient_system": self.patient_system,
        }

    def as_payload(self) -> dict[str, Any]:
        return {
            "patient_id": self.patient_id,
            "kind": self.kind,
            "resource": self.resource,
            "patient_system": self.patient_system,
        }

    @classmethod
    def from_payload(cls, event_id: str, payload: dict[str, Any], created_at: datetime) -> OutboundEvent:
        return cls(
            event_id, payload["patient_id"], payload["kind"], payload["resource"], payload["patient_system"], created_at
        )
