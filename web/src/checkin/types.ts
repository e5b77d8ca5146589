import type { Schemas } from "../api/client";

// The check-in and signed forms API's shapes (docs/api.md, "Check-in and signed forms"), named as
// the pages read them.

export type CheckIn = Schemas["CheckIn"];
export type CheckInState = CheckIn["state"];
export type CheckInDetails = Schemas["Details"];
export type Insurance = Schemas["Insurance"];
export type Questionnaire = Schemas["Questionnaire"];
export type QuestionItem = Schemas["QuestionnaireItem"];
export type Answer = Schemas["GivenAnswer"];
export type AnswerValue = Answer["value"];
export type SignedForm = Schemas["SignedForm"];
export type SignedFormDownload = Schemas["SignedFormDownload"];
export type FormToSign = Schemas["CheckInForm"];
export type FormKind = FormToSign["kind"];
export type DetailChanges = Schemas["DetailsChanges"];
export type SignBody = Schemas["SignForm"];
export type FormTemplate = Schemas["FormTemplate"];
export type FormVersion = Schemas["FormVersion"];
export type VisitType = Schemas["VisitType"];
export type VisitTypeChange = Schemas["VisitTypeChange"];
export type StaffVisit = Schemas["DayVisit"];
export type StaffDay = Schemas["DayVisits"];

export const FORM_KINDS: readonly FormKind[] = ["consent_to_treat", "privacy_notice", "financial_policy", "other"];
