import type { TFunction } from "i18next";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { Confirm } from "../components/Confirm";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextArea } from "../components/TextField";
import type { RecordView } from "../records/PatientPage";
import { flatFields } from "./errors";
import { type Appointment, visitTime } from "./format";
import { visitKey, visitsKey } from "./queries";

/** "Please call the office at 518-555-0100." in words, or without a number, just to call. */
export function tooLateText(t: TFunction, phone: string): string {
  return phone ? t("appointments.cancel.tooLate", { phone }) : t("appointments.cancel.tooLateNoPhone");
}

/**
 * Cancelling a visit online, until the organization's cutoff before its start: a confirm step with
 * an optional reason. Past the cutoff there is no button but the office's number to call (the API
 * refuses a late cancel all the same, and the page then says the same words).
 */
export function CancelVisit({ record, appointment }: { record: RecordView; appointment: Appointment }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const opener = useRef<HTMLButtonElement>(null);
  const submission = useSubmissionKey();
  const key = visitKey(record.token, record.patientId, appointment.id);

  const cancel = useMutation({
    mutationFn: async (body: { reason: string }) => {
      const { data, error } = await api.POST("/v1/patients/{patient_id}/appointments/{appointment_id}/cancel", {
        params: {
          path: { patient_id: record.patientId, appointment_id: appointment.id },
          header: { "Idempotency-Key": submission.keyFor({ id: appointment.id, ...body }) },
        },
        body,
      });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => setErrors(noErrors),
    onError: (error) => {
      setErrors(formErrors(flatFields(error), ["reason"], t("errors.network")));
      // Past the cutoff meanwhile, or cancelled elsewhere: the visit as it stands now.
      void queryClient.invalidateQueries({ queryKey: key });
    },
    onSuccess: (cancelled) => {
      submission.done();
      setConfirming(false);
      queryClient.setQueryData(key, cancelled);
      void queryClient.invalidateQueries({ queryKey: visitsKey(record.token, record.patientId) });
    },
  });

  const cancellation = appointment.cancellation;
  if (!cancellation) return null;
  if (!cancellation.can_cancel) {
    if (cancellation.reason !== "past_cutoff") return <ErrorSummary messages={errors.general} />;
    return (
      <div className="usa-alert usa-alert--info usa-alert--slim margin-y-2">
        <div className="usa-alert__body">
          <p className="usa-alert__text">
            {tooLateText(t, cancellation.office_phone)}
            {cancellation.office_phone && (
              <>
                {" "}
                <a href={`tel:${cancellation.office_phone}`}>{t("appointments.cancel.call", { phone: cancellation.office_phone })}</a>
              </>
            )}
          </p>
        </div>
      </div>
    );
  }
  return (
    <section aria-labelledby="cancel-title" className="margin-y-3">
      <h2 id="cancel-title">{t("appointments.cancel.title")}</h2>
      {cancellation.cutoff_at && (
        <p>{t("appointments.cancel.until", { time: visitTime(cancellation.cutoff_at, appointment.time_zone, i18n.language) })}</p>
      )}
      <ErrorSummary messages={errors.general} />
      {confirming ? (
        <Confirm
          question={t("appointments.cancel.question")}
          confirmLabel={t("appointments.cancel.confirm")}
          cancelLabel={t("appointments.cancel.keep")}
          busy={cancel.isPending}
          opener={opener.current}
          onConfirm={() => cancel.mutate({ reason: reason.trim() })}
          onCancel={() => setConfirming(false)}
        >
          <TextArea
            name="reason"
            label={t("appointments.cancel.reason")}
            hint={t("appointments.cancel.reasonHint")}
            error={errors.fields.reason}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            maxLength={500}
            rows={2}
          />
        </Confirm>
      ) : (
        <button ref={opener} type="button" className="usa-button usa-button--secondary" onClick={() => setConfirming(true)}>
          {t("appointments.cancel.button")}
        </button>
      )}
    </section>
  );
}
