import i18next from "i18next";
import { api } from "../api/client";
import { isErrorBody } from "../api/errors";
import type {
  Answer,
  CheckIn,
  DetailChanges,
  FormKind,
  FormTemplate,
  SignedForm,
  SignedFormDownload,
  StaffDay,
  VisitType,
} from "./types";

// The check-in routes are called through the same client (and so the same session header and
// refusal handling) as every other page; the paths are typed loosely until the generated schema
// carries them.
type Reply<T> = { data?: T; error?: unknown; response: Response };
interface Init {
  params?: { path?: Record<string, string>; query?: Record<string, string>; header?: Record<string, string> };
  body?: unknown;
}
interface LooseClient {
  GET(path: string, init?: Init): Promise<Reply<unknown>>;
  POST(path: string, init?: Init): Promise<Reply<unknown>>;
  PUT(path: string, init?: Init): Promise<Reply<unknown>>;
}
const loose = api as unknown as LooseClient;

function as<T>(reply: Promise<Reply<unknown>>): Promise<Reply<T>> {
  return reply as Promise<Reply<T>>;
}

/** The data of a read, or an Error whose message is the API's sentence (as load() does for typed calls). */
export async function read<T>(call: () => Promise<Reply<T>>): Promise<T> {
  let result: Reply<T>;
  try {
    result = await call();
  } catch {
    throw new Error(i18next.t("errors.network"));
  }
  if (result.response.ok && result.data !== undefined) return result.data;
  throw new Error(isErrorBody(result.error) ? result.error.error.message : i18next.t("errors.unexpected"));
}

const CHECK_IN = "/v1/patients/{patient_id}/appointments/{appointment_id}/check-in";
const idempotent = (key: string) => ({ "Idempotency-Key": key });

/** Keyed by the session token (another session never sees this one's answers), the record and the visit. */
export const checkInKey = (token: string, patientId: string, appointmentId: string) => [
  "check-in",
  token,
  patientId,
  appointmentId,
];

export const patientCheckIn = {
  get: (patientId: string, appointmentId: string) =>
    as<CheckIn>(loose.GET(CHECK_IN, { params: { path: { patient_id: patientId, appointment_id: appointmentId } } })),
  details: (patientId: string, appointmentId: string, changes: DetailChanges | null, key: string) =>
    as<CheckIn>(
      loose.POST(`${CHECK_IN}/details`, {
        params: { path: { patient_id: patientId, appointment_id: appointmentId }, header: idempotent(key) },
        body: { confirmed: true, changes },
      }),
    ),
  answers: (patientId: string, appointmentId: string, answers: Answer[], key: string) =>
    as<CheckIn>(
      loose.POST(`${CHECK_IN}/answers`, {
        params: { path: { patient_id: patientId, appointment_id: appointmentId }, header: idempotent(key) },
        body: { answers },
      }),
    ),
  sign: (
    patientId: string,
    appointmentId: string,
    formId: string,
    body: { version: number; sha256: string; typed_name: string; signature_png: string | null; agree: true },
    key: string,
  ) =>
    as<SignedForm>(
      loose.POST(`${CHECK_IN}/forms/{form_id}/sign`, {
        params: { path: { patient_id: patientId, appointment_id: appointmentId, form_id: formId }, header: idempotent(key) },
        body,
      }),
    ),
  complete: (patientId: string, appointmentId: string, key: string) =>
    as<CheckIn>(
      loose.POST(`${CHECK_IN}/complete`, {
        params: { path: { patient_id: patientId, appointment_id: appointmentId }, header: idempotent(key) },
      }),
    ),
  signedForm: (patientId: string, documentId: string) =>
    as<SignedFormDownload>(
      loose.GET("/v1/patients/{patient_id}/signed-forms/{document_id}", {
        params: { path: { patient_id: patientId, document_id: documentId } },
      }),
    ),
};

export const staffCheckIns = {
  day: (date: string | null) => as<StaffDay>(loose.GET("/v1/staff/check-ins", date ? { params: { query: { date } } } : {})),
  get: (patientId: string, appointmentId: string) =>
    as<CheckIn>(
      loose.GET("/v1/staff/patients/{patient_id}/appointments/{appointment_id}/check-in", {
        params: { path: { patient_id: patientId, appointment_id: appointmentId } },
      }),
    ),
  signedForm: (patientId: string, documentId: string) =>
    as<SignedFormDownload>(
      loose.GET("/v1/staff/patients/{patient_id}/signed-forms/{document_id}", {
        params: { path: { patient_id: patientId, document_id: documentId } },
      }),
    ),
};

export const adminForms = {
  list: () => as<{ forms: FormTemplate[] }>(loose.GET("/v1/admin/forms")),
  get: (formId: string) => as<FormTemplate>(loose.GET("/v1/admin/forms/{form_id}", { params: { path: { form_id: formId } } })),
  create: (body: { title: string; kind: FormKind; body: string }, key: string) =>
    as<FormTemplate>(loose.POST("/v1/admin/forms", { params: { header: idempotent(key) }, body })),
  publish: (formId: string, body: { title: string; body: string }, key: string) =>
    as<FormTemplate>(
      loose.POST("/v1/admin/forms/{form_id}/versions", { params: { path: { form_id: formId }, header: idempotent(key) }, body }),
    ),
  setActive: (formId: string, active: boolean) =>
    as<FormTemplate>(loose.PUT("/v1/admin/forms/{form_id}/active", { params: { path: { form_id: formId } }, body: { active } })),
  visitTypes: () => as<{ visit_types: VisitType[] }>(loose.GET("/v1/admin/visit-types")),
  saveVisitType: (
    visitTypeId: string,
    body: { name: string; form_ids: string[]; questionnaire: Record<string, unknown> | null },
  ) =>
    as<VisitType>(
      loose.PUT("/v1/admin/visit-types/{visit_type_id}", { params: { path: { visit_type_id: visitTypeId } }, body }),
    ),
};

/**
 * An API refusal with its fields renamed for a form: the API names nested fields with dots
 * ("changes.insurance.payer", "answers.<link id>"), while a form's fields (formErrors) are flat.
 */
export function renamed(body: unknown, rename: (field: string) => string | undefined): unknown {
  if (!isErrorBody(body)) return body;
  return {
    error: {
      ...body.error,
      details: body.error.details.map((detail) => {
        const field = detail.field ? rename(detail.field) : undefined;
        return { ...detail, field: field ?? detail.field };
      }),
    },
  };
}
