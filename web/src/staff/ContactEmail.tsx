import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { TextField } from "../components/TextField";
import { staffPatientKey } from "./queries";

/**
 * The email address on the patient's record (where invitations go), any new one waiting for its
 * owner to confirm it, and the form that enters a new one (PUT /v1/staff/patients/{id}/email). The
 * portal account's own sign-in address is not this one: the account holder changes that.
 */
export function ContactEmail({
  token,
  patientId,
  portal,
}: {
  token: string;
  patientId: string;
  portal: Schemas["PatientPortal"];
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [sentTo, setSentTo] = useState("");
  const change = useMutation({
    mutationFn: async (email: string) => {
      const { data, error } = await api.PUT("/v1/staff/patients/{patient_id}/email", {
        params: { path: { patient_id: patientId } },
        body: { email },
      });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => {
      setErrors(noErrors);
      setSentTo("");
    },
    onError: (error) => setErrors(formErrors(error, ["email"], t("errors.network"))),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const email = String(new FormData(form).get("new_email") ?? "").trim();
    if (!email) {
      setErrors({ fields: { email: t("errors.required") }, general: [] });
      return;
    }
    change.mutate(email, {
      onSuccess: async (answer) => {
        form.reset();
        setSentTo(answer.pending_email);
        await queryClient.invalidateQueries({ queryKey: staffPatientKey(token, patientId) });
      },
    });
  }

  return (
    <section aria-labelledby="contact-email" className="margin-top-4">
      <h2 id="contact-email">{t("staff.contactEmail.title")}</h2>
      <p style={{ overflowWrap: "anywhere" }}>
        {t("staff.contactEmail.current")}: <strong>{portal.email ?? t("staff.contactEmail.none")}</strong>
      </p>
      {portal.pending_email && (
        <p style={{ overflowWrap: "anywhere" }}>
          {t("staff.contactEmail.pending", { email: portal.pending_email })}
        </p>
      )}
      <Notice text={sentTo ? t("staff.contactEmail.sent", { email: sentTo }) : null} />
      <form className="usa-form" onSubmit={onSubmit} noValidate aria-labelledby="contact-email-change">
        <h3 id="contact-email-change">{t("staff.contactEmail.change")}</h3>
        <ErrorSummary messages={errors.general} />
        {/* Its own name (and so its own id): the invitation form on the same page has an "email" field. */}
        <TextField
          name="new_email"
          type="email"
          label={t("staff.contactEmail.newAddress")}
          hint={t("staff.contactEmail.hint")}
          error={errors.fields.email}
          autoComplete="off"
          required
        />
        <button className="usa-button" type="submit" disabled={change.isPending}>
          {t("staff.contactEmail.send")}
        </button>
      </form>
    </section>
  );
}
