import type { CheckIn, FormTemplate, FormToSign, SignedForm, StaffVisit } from "./types";

// Fakes of the check-in API's answers, in its documented shapes (docs/api.md, "Check-in and
// signed forms"): times with the clinic's offset, as the API gives them.

export const APPOINTMENT = "a".repeat(32);

export function signedForm(formId: string, title: string, extra: Partial<SignedForm> = {}): SignedForm {
  return {
    document_id: `doc-${formId}`,
    form_id: formId,
    title,
    version: 1,
    form_sha256: "1".repeat(64),
    signed_at: "2027-01-13T08:05:00-05:00",
    signed_name: "Ada Lovelace",
    has_drawn_signature: true,
    signature: "Signed by Ada Lovelace",
    signed_by: null,
    pdf_sha256: "2".repeat(64),
    size_bytes: 20480,
    ...extra,
  };
}

export function formToSign(formId: string, title: string, extra: Partial<FormToSign> = {}): FormToSign {
  return {
    form_id: formId,
    title,
    kind: "consent_to_treat",
    version: 1,
    sha256: "1".repeat(64),
    body: `${title} first paragraph.\n\n${title} second paragraph.`,
    signed: null,
    ...extra,
  };
}

export function checkIn(extra: Partial<CheckIn> = {}): CheckIn {
  return {
    appointment_id: APPOINTMENT,
    state: "open",
    opens_at: "2027-01-12T09:30:00-05:00",
    closes_at: "2027-01-15T09:30:00-05:00",
    completed_at: null,
    details: {
      name: "Ada Lovelace",
      birth_date: "1990-04-01",
      address: "12 Elm St, Albany NY 12207",
      phone: "518-555-0100",
      email: "ada@example.org",
      insurance: { payer: "Empire Health", member_id: "EH123456", group_number: "G-77" },
      confirmed_at: null,
      change_requested: false,
    },
    questionnaire: {
      questionnaire_id: "q-visit",
      title: "Before your visit",
      items: [
        { link_id: "reason", text: "What is the reason for your visit?", type: "string", required: true, options: [] },
        { link_id: "allergies", text: "Have your allergies changed?", type: "boolean", required: true, options: [] },
        { link_id: "1.pain", text: "Pain today, from 0 to 10", type: "integer", required: false, options: [] },
        { link_id: "since", text: "Since when?", type: "date", required: false, options: [] },
        {
          link_id: "arrive",
          text: "How will you arrive?",
          type: "choice",
          required: false,
          options: [
            { code: "car", display: "By car" },
            { code: "bus", display: "By bus" },
          ],
        },
        { link_id: "more", text: "Anything else?", type: "text", required: false, options: [] },
      ],
    },
    answers: null,
    answered_at: null,
    forms: [formToSign("f-consent", "Consent to treat"), formToSign("f-privacy", "Notice of privacy practices", { kind: "privacy_notice" })],
    steps: { details: false, questionnaire: false, forms: false },
    ...extra,
  };
}

export function formTemplate(formId: string, title: string, extra: Partial<FormTemplate> = {}): FormTemplate {
  return {
    form_id: formId,
    title,
    kind: "consent_to_treat",
    version: 2,
    body: "I agree to be treated.\n\nI may withdraw at any time.",
    sha256: "c".repeat(64),
    active: true,
    updated_at: "2026-11-20T14:30:00-05:00",
    versions: [
      { version: 1, sha256: "b".repeat(64), created_at: "2026-10-01T09:00:00-04:00", created_by: "demo.admin" },
      { version: 2, sha256: "c".repeat(64), created_at: "2026-11-20T14:30:00-05:00", created_by: "demo.admin" },
    ],
    ...extra,
  };
}

export function staffVisit(id: string, extra: Partial<StaffVisit> = {}): StaffVisit {
  return {
    appointment_id: id,
    patient: { patient_id: "p-1", name: "Ada Lovelace", birth_date: "1990-04-01" },
    starts_at: "2027-01-15T09:30:00-05:00",
    type: "Follow-up",
    clinicians: ["Marcus Welby MD"],
    status: "booked",
    check_in: {
      state: "completed",
      completed_at: "2027-01-14T20:00:00-05:00",
      forms_signed: 2,
      forms_required: 2,
      answered: true,
      change_requested: true,
    },
    ...extra,
  };
}
