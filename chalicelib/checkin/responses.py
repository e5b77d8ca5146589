"""The patient's answers as the FHIR QuestionnaireResponse kept with them and sent to the
clinical systems (outbound.fhir.questionnaire_response builds and validates it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib.checkin.domain import Questionnaire
from chalicelib.checkin.visit import Visit
from chalicelib.observability import logger
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import QUESTIONNAIRE_RESPONSE, InvalidOutboundEvent


def questionnaire_response(
    visit: Visit,
    questionnaire: Questionnaire,
    kept: tuple[tuple[str, Any], ...],
    revision: int,
    now: datetime,
    author: dict[str, Any] | None = None,
) -> tuple[dict[str, Any] | None, Any]:
    """The FHIR QuestionnaireResponse of the answers and its outbound event; (None, None) when the
    patient cannot be named to the clinical systems (no MRN under the organization's authority):
    the answers are kept for staff all the same. ``author``: who answered when someone acting for
    the patient did (a RelatedPerson, ``fhir.related_person_author``)."""
    try:
        subject = fhir.patient_identifier(visit.patient.identifiers, visit.mrn_authority)
    except InvalidOutboundEvent:
        logger.warning(
            "check-in answers kept without a QuestionnaireResponse: no MRN", appointment_id=visit.appointment_id
        )
        return None, None
    items = {item.link_id: item for item in questionnaire.asked}
    answers = [
        fhir.Answer(link_id, [fhir_value(items[link_id], value)], items[link_id].text) for link_id, value in kept
    ]
    if not answers:  # every item optional and none answered: nothing to send
        return None, None
    resource = fhir.questionnaire_response(
        response_id=f"{visit.appointment_id}-{revision}",
        questionnaire=questionnaire.canonical,
        patient=subject,
        authored=now,
        answers=answers,
        author=author,
    )
    event = producer.event(
        f"questionnaire-response-{visit.appointment_id}-{revision}",
        visit.patient.patient_id,
        QUESTIONNAIRE_RESPONSE,
        resource,
        subject.system,
        now,
    )
    return resource, event


def fhir_value(item: Any, value: Any) -> Any:
    if item.type == "date":
        return date.fromisoformat(value)
    if item.type == "choice":
        option = next(o for o in item.options if o.code == value)
        if option.system:
            return fhir.Coded(option.system, option.code, option.display)
        return value
    return value
