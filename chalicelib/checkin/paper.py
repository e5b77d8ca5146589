"""What a signed PDF is made of: the form as the patient read it, their answers to the visit's
questionnaire in words, and the signature (checkin.signed_form renders it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from chalicelib.checkin import printable, signed_form
from chalicelib.checkin.contract import SignForm
from chalicelib.checkin.domain import Item, Value, read_questionnaire
from chalicelib.checkin.forms import FormTemplate, VisitType
from chalicelib.checkin.stores import CheckIns
from chalicelib.errors import ValidationFailed
from chalicelib.patients.domain import Patient

Answers = tuple[tuple[str, str], ...]
# The same, each with the linkId of its question: a refusal names the answer as ``answers.<link_id>``.
LinkedAnswers = tuple[tuple[str, str, str], ...]

# Printed in place of a chart name the PDF's font cannot print (checkin.printable): the patient is
# not refused for the name their clinic filed, and the record (document id, visit, typed name and
# the audit footer) still ties the paper to them.
NAME_ON_RECORD = "(name as on record)"


class AnswerPorts(Protocol):
    @property
    def checkins(self) -> CheckIns: ...


def answers_of(ports: AnswerPorts, patient_id: str, appointment_id: str, visit_type: VisitType) -> LinkedAnswers:
    """The visit's questionnaire answers as linkId, question and answer in words, for the PDF:
    what the patient had answered when they signed (none yet: none printed)."""
    record = ports.checkins.get(patient_id, appointment_id)
    # The questionnaire answered, when the check-in kept it: the visit type may ask another since.
    questionnaire = (record.questionnaire if record else None) or read_questionnaire(
        visit_type.questionnaire, visit_type.visit_type_id
    )
    if record is None or not record.answers or questionnaire is None:
        return ()
    given = dict(record.answers)
    printed: list[tuple[str, str, str]] = []
    for item in questionnaire.asked:
        if item.link_id in given:
            printed.append((item.link_id, item.text, _in_words(item, given[item.link_id])))
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
    answers: LinkedAnswers = (),
    acting_as: str = "",
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
            answers=tuple((question, answer) for _, question, answer in answers),
            typed_name=body.typed_name,
            signed_at=signed_at,
            time_zone=zone_name,
            client_ip=client_ip,
            patient_name=_printed_name(patient.shown_name),
            patient_birth_date=born,
            signature_png=drawn,
            acting_as=acting_as,
        )
    except signed_form.InvalidSignedForm as error:
        raise _refusal(error, answers) from None


def _printed_name(name: str) -> str:
    if not name.strip():
        return "Patient"
    return NAME_ON_RECORD if printable.problem(name) else name


def _refusal(error: signed_form.InvalidSignedForm, answers: LinkedAnswers) -> ValidationFailed:
    """The 400 of a paper that cannot be made, naming what the patient can fix: the typed name, the
    drawn signature or an answer (``answers.<link_id>``, to answer again); else the form itself,
    which only the office can fix. Text the font cannot print has the issue ``unprintable``."""
    issue = "unprintable" if error.unprintable else "invalid"
    parts = error.field.split(".")
    if error.field in ("typed_name", "signature_png"):
        return ValidationFailed(
            f"The {error.field.replace('_', ' ')} {error.problem}.", [{"field": error.field, "issue": issue}]
        )
    if parts[0] == "answers" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(answers):
        link_id, question, _ = answers[int(parts[1])]
        return ValidationFailed(
            f'Your answer to "{question}" {error.problem}: answer it again, then sign.',
            [{"field": f"answers.{link_id}", "issue": issue}],
        )
    return ValidationFailed(
        "This form cannot be signed online; please ask the office.", [{"field": "form", "issue": issue}]
    )
