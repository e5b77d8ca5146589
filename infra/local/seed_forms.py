"""The demo organization's check-in forms and its one visit type, for the local stage: three
forms (consent to treat, privacy notice, financial policy) and the visit type "*" (any visit),
which asks for the first two and a short questionnaire. Written through the admins' own service,
so what is seeded is what an admin could have saved. Nothing when the organization has forms
already (a seed run twice keeps what admins did)."""

from __future__ import annotations

from chalicelib.checkin import forms
from chalicelib.checkin.contract import NewForm, VisitTypeChange
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.wiring import Container

DEMO_FORMS = (
    (
        "Consent to treat",
        "consent_to_treat",
        "I agree to receive examination and treatment from the clinicians of Albany Medical Center.\n\n"
        "I understand that I may ask questions about my care at any time, and that I may refuse any "
        "treatment offered to me.\n\n"
        "This consent stays in effect until I withdraw it in writing.",
    ),
    (
        "Notice of privacy practices",
        "privacy_notice",
        "This notice describes how medical information about you may be used and disclosed, and how "
        "you can get access to this information.\n\n"
        "We use your health information to treat you, to be paid for your care and to run our "
        "organization. We share it with others only as the law allows or as you authorize.\n\n"
        "You may ask for a copy of your record, ask us to correct it, and ask who we shared it with.",
    ),
    (
        "Financial policy",
        "financial_policy",
        "Payment is due at the time of service unless other arrangements have been made.\n\n"
        "We bill your insurance as a courtesy; you are responsible for any balance your plan does not pay.",
    ),
)

DEMO_QUESTIONNAIRE = {
    "resourceType": "Questionnaire",
    "status": "active",
    "title": "Before your visit",
    "item": [
        {"linkId": "reason", "text": "What is the main reason for your visit?", "type": "text", "required": True},
        {
            "linkId": "allergies-changed",
            "text": "Have your allergies changed since your last visit?",
            "type": "boolean",
        },
        {
            "linkId": "pain",
            "text": "How much pain are you in today, from 0 (none) to 10 (the worst)?",
            "type": "choice",
            "answerOption": [{"valueCoding": {"code": str(n), "display": str(n)}} for n in range(11)],
        },
    ],
}


def seed_checkin_forms(container: Container, organization_id: str, admin_account_id: str, admin_name: str) -> None:
    if container.checkin_forms.forms_of(organization_id):
        return
    admin = Caller(admin_account_id, "admin", organization_id, "", "seed", "")
    origin = Origin(source_ip="127.0.0.1", correlation_id="seed")
    now = container.clock.now()
    made = [
        forms.add_form(container, admin, origin, NewForm(title=t, kind=k, body=b), now, admin_name, "UTC")
        for t, k, b in DEMO_FORMS
    ]
    change = VisitTypeChange(
        name=forms.ANY_VISIT, form_ids=[made[0]["form_id"], made[1]["form_id"]], questionnaire=DEMO_QUESTIONNAIRE
    )
    forms.put_visit_type(container, admin, origin, "any-visit", change, now, admin_name, "UTC")
