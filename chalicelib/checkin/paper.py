"""What a signed PDF is made of: the form as the patient read it, their answers to the visit's
questionnaire in words, and the signature (checkin.signed_form renders it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from chalicelib.checkin import signed_form
from chalicelib.checkin.contract import SignForm
from chalicelib.checkin.domain import Item, Value, read_questionnaire
from chalicelib.checkin.forms import FormTemplate, VisitType
from chalicelib.checkin.stores import CheckIns
from chalicelib.errors import ValidationFailed
from chalicelib.patients.domain import Patient

Answers = tuple[tuple[str, str], ...]


class AnswerPorts(Protocol):
    @property
    def checkins(self) -> CheckIns: ...


def answers_of(ports: AnswerPorts, patient_id: str, appointment_id: str, visit_type: VisitType) -> Answers:
    """The visit's questionnaire answers as question and answer in words, for the PDF: what the
    patient had answered when they signed (none yet: none printed)."""
    record = ports.checkins.get(patient_id, appointment_id)
    # The questionnaire answered, when the check-in kept it: the visit type may ask another since.
    questionnaire = (record.questionnaire if record else None) or read_questionnaire(
        visit_type.questionnaire, visit_type.visit_type_id
    )
    if record is None or not record.answers or questionnaire is None:
        return ()
    given = dict(record.answers)
    printed: list[tuple[str, str]] = []
    for item in questionnaire.asked:
        if item.link_id in given:
            printed.append((item.text, _in_words(item, given[item.link_id])))
    return tuple(printed)


def _in_words(item: Item, value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if item.options:
        display = next((o.display for o in item.options if o.code == str(value)), "")
        return display or str(value)
    return str(value)


def paper(
    document_id: str,
    form: FormTemplate,
    body: SignForm,
    drawn: bytes | None,
    signed_at: datetime,
    zone_name: str,
    client_ip: str,
    patient: Patient,
    answers: Answers = (),
) -> signed_form.SignedForm:
    try:
        born = date.fromisoformat(patient.birth_date)
    except ValueError:
        born = date(1900, 1, 1)  # never: a patient is filed with a birth date; kept printable all the same
    try:
        return signed_form.SignedForm(
            document_id=document_id,
            form_title=form.title,
            form_version=str(form.version),
            form_text=form.body,
            form_sha256=form.sha256,
            answers=answers,
            typed_name=body.typed_name,
            signed_at=signed_at,
            time_zone=zone_name,
            client_ip=client_ip,
            patient_name=patient.shown_name or "Patient",
            patient_birth_date=born,
            signature_png=drawn,
        )
    except signed_form.InvalidSignedForm as error:
        field = {"typed_name": "typed_name", "signature_png": "signature_png"}.get(error.field)
        if field is None:  # the form's own text or the record's: not the patient's to fix
            raise ValidationFailed(
                "This form cannot be signed online; please ask the office.", [{"field": "form"}]
            ) from None
        raise ValidationFailed(f"The {field.replace('_', ' ')} {error.problem}.", [{"field": field}]) from None
