// The check-in and signed forms API's shapes (docs/api.md, "Check-in and signed forms"), as the
// pages read them. Kept here until the generated schema carries these routes; then they become
// aliases of Schemas[...] and tsc points at any difference.

export type CheckInState = "not_open" | "open" | "completed" | "closed";
export type ItemType = "string" | "text" | "boolean" | "date" | "integer" | "choice" | "display";
export type AnswerValue = string | boolean | number | null;

export interface Insurance {
  payer: string;
  member_id: string;
  group_number: string;
}

export interface CheckInDetails {
  name: string;
  birth_date: string;
  address: string;
  phone: string;
  email: string;
  insurance: Insurance | null;
  confirmed_at: string | null;
  change_requested: boolean;
}

export interface QuestionItem {
  link_id: string;
  text: string;
  type: ItemType;
  required: boolean;
  options: { code: string; display: string }[];
}

export interface Questionnaire {
  questionnaire_id: string;
  title: string;
  items: QuestionItem[];
}

export interface Answer {
  link_id: string;
  value: AnswerValue;
}

export interface SignedForm {
  document_id: string;
  form_id: string;
  title: string;
  version: number;
  form_sha256: string;
  signed_at: string;
  signed_name: string;
  has_drawn_signature: boolean;
  pdf_sha256: string;
  size_bytes: number;
}

export type FormKind = "consent_to_treat" | "privacy_notice" | "financial_policy" | "other";

export interface FormToSign {
  form_id: string;
  title: string;
  kind: FormKind;
  version: number;
  sha256: string;
  body: string;
  signed: SignedForm | null;
}

export interface CheckIn {
  appointment_id: string;
  state: CheckInState;
  opens_at: string;
  closes_at: string;
  completed_at: string | null;
  details: CheckInDetails;
  questionnaire: Questionnaire | null;
  answers: Answer[] | null;
  answered_at: string | null;
  forms: FormToSign[];
  steps: { details: boolean; questionnaire: boolean; forms: boolean };
}

export interface SignedFormDownload extends SignedForm {
  download_url: string;
}

export interface DetailChanges {
  address: string | null;
  phone: string | null;
  email: string | null;
  insurance: Insurance | null;
  note: string;
}

export interface FormVersion {
  version: number;
  sha256: string;
  created_at: string;
  created_by: string;
}

export interface FormTemplate {
  form_id: string;
  title: string;
  kind: FormKind;
  version: number;
  body: string;
  sha256: string;
  active: boolean;
  updated_at: string;
  versions: FormVersion[];
}

export interface VisitType {
  visit_type_id: string;
  name: string;
  form_ids: string[];
  questionnaire: Record<string, unknown> | null;
  updated_at: string;
}

export interface StaffVisit {
  appointment_id: string;
  patient: { patient_id: string; name: string; birth_date: string | null };
  starts_at: string;
  type: string;
  clinicians: string[];
  status: string;
  check_in: {
    state: CheckInState;
    completed_at: string | null;
    forms_signed: number;
    forms_required: number;
    answered: boolean;
    change_requested: boolean;
  } | null;
}

export interface StaffDay {
  date: string;
  time_zone: string;
  visits: StaffVisit[];
}

export const FORM_KINDS: readonly FormKind[] = ["consent_to_treat", "privacy_notice", "financial_policy", "other"];
