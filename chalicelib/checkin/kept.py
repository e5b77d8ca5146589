"""What a check-in was done against, kept with it, so that an admin's later change of the visit
type (another questionnaire, other forms) never rewrites a check-in a patient already did.

- Once answered, the questionnaire shown is the one answered: it is kept with the answers (a
  second answering is checked against it too), not read again from the visit type.
- Once completed, the forms listed are those listed at completion (kept as form id and version),
  each with its signature; and at any time a form already signed for the visit is listed, even
  when the visit type no longer asks for it (it is signed: the patient and staff see it).
"""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.checkin.domain import CheckInRecord, Questionnaire
from chalicelib.checkin.forms import FormPorts, FormTemplate
from chalicelib.checkin.signing import SignaturePorts, signatures

KeptForms = tuple[tuple[str, int], ...]  # (form id, version) of each form listed


class KeptPorts(FormPorts, SignaturePorts, Protocol):
    pass


# -- the questionnaire answered -------------------------------------------------------------------


def questionnaire_of(record: CheckInRecord | None, asked_now: Questionnaire | None) -> Questionnaire | None:
    """The questionnaire the check-in shows: the one answered once answered, else the visit type's."""
    if record is not None and record.answers is not None and record.questionnaire is not None:
        return record.questionnaire
    return asked_now


# -- the forms ------------------------------------------------------------------------------------


def forms_of(
    ports: KeptPorts,
    organization_id: str,
    patient_id: str,
    appointment_id: str,
    record: CheckInRecord | None,
    asked_now: list[FormTemplate],
) -> list[dict[str, Any]]:
    """The forms the check-in lists (the contract's CheckIn.forms): those kept at completion once
    completed, else those the visit type asks now; then any other form signed for the visit."""
    signed = signatures(ports, patient_id, appointment_id)
    current = {form.form_id: form for form in asked_now}
    if record is not None and record.completed_at is not None and record.completed_forms is not None:
        wanted: KeptForms = record.completed_forms
    else:
        wanted = tuple((form.form_id, form.version) for form in asked_now)
    shown = [_form(ports, organization_id, form_id, version, current, signed) for form_id, version in wanted]
    listed = {form_id for form_id, _ in wanted}
    # Then the others signed, in the order they were signed (by title when signed at one moment).
    others = sorted(signed.items(), key=lambda pair: (str(pair[1].get("signed_at")), str(pair[1].get("title"))))
    for form_id, signature in others:
        if form_id not in listed:
            shown.append(_form(ports, organization_id, form_id, int(signature["version"]), current, signed))
    return shown


def _form(
    ports: KeptPorts,
    organization_id: str,
    form_id: str,
    version: int,
    current: dict[str, FormTemplate],
    signed: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    signature = signed.get(form_id)
    # A signature of another version does not sign this one: the patient reads it again.
    matching = signature if signature is not None and signature.get("version") == version else None
    form = current.get(form_id)
    if form is not None and form.version == version:
        title, kind, sha256, body = form.title, form.kind, form.sha256, form.body
    else:
        # A form the visit type no longer asks for, or an older version of one: as it was signed.
        head = ports.checkin_forms.form(organization_id, form_id)
        kept = ports.checkin_forms.version(organization_id, form_id, version)
        title = kept.title if kept else str((signature or {}).get("title") or "")
        kind = head.kind if head else "other"
        sha256 = kept.sha256 if kept else str((signature or {}).get("form_sha256") or "")
        body = kept.body if kept else ""
    return {
        "form_id": form_id,
        "title": title,
        "kind": kind,
        "version": version,
        "sha256": sha256,
        "body": body,
        "signed": matching,
    }
