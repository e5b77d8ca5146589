import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { submit } from "../account/submit";
import { type FormErrors, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Fact, Facts } from "../components/Facts";
import { TextArea, TextField } from "../components/TextField";
import type { RecordView } from "../records/PatientPage";
import { patientCheckIn, renamed } from "./calls";
import type { CheckIn, DetailChanges } from "./types";

// The change form's fields, flat: the API's "changes.insurance.payer" is "insurance_payer" here.
const FIELDS = ["address", "phone", "email", "insurance_payer", "insurance_member_id", "insurance_group_number", "note"];
const flat = (field: string) => field.replace(/^changes\./, "").replace(/\./g, "_");

/**
 * The patient's details as the chart has them: confirmed as they are, or "Something changed",
 * which sends the changes to the clinic's staff as a request. The chart itself changes only when
 * staff update it, and the page says so.
 */
export function DetailsStep({ record, checkIn, onDone }: { record: RecordView; checkIn: CheckIn; onDone: (next: CheckIn) => void }) {
  const { t } = useTranslation();
  const dates = useDates();
  const details = checkIn.details;
  const [changing, setChanging] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const submission = useSubmissionKey();

  async function send(changes: DetailChanges | null) {
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(
      async () => {
        const reply = await patientCheckIn.details(
          record.patientId,
          checkIn.appointment_id,
          changes,
          submission.keyFor({ changes }),
        );
        return { ...reply, error: renamed(reply.error, flat) };
      },
      FIELDS,
    );
    setBusy(false);
    if (outcome.errors) setErrors(outcome.errors);
    else {
      submission.done();
      onDone(outcome.data);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const payer = text("insurance_payer");
    const memberId = text("insurance_member_id");
    const group = text("insurance_group_number");
    void send({
      address: text("address") || null,
      phone: text("phone") || null,
      email: text("email") || null,
      // Insurance is sent when any of it is given: the API names what is missing next to its field.
      insurance: payer || memberId || group ? { payer, member_id: memberId, group_number: group } : null,
      note: text("note"),
    });
  }

  const insurance = details.insurance;
  return (
    <>
      <p>{t("checkin.details.intro")}</p>
      <p>{t("checkin.details.fromRecord")}</p>
      {details.change_requested && (
        <div className="usa-alert usa-alert--info usa-alert--slim">
          <div className="usa-alert__body">
            <p className="usa-alert__text">{t("checkin.details.changesSent")}</p>
          </div>
        </div>
      )}
      <Facts>
        <Fact term={t("checkin.details.name")}>{details.name}</Fact>
        <Fact term={t("checkin.details.birthDate")}>{details.birth_date ? dates.day(details.birth_date) : t("checkin.details.notOnRecord")}</Fact>
        <Fact term={t("checkin.details.address")}>{details.address || t("checkin.details.notOnRecord")}</Fact>
        <Fact term={t("checkin.details.phone")}>{details.phone || t("checkin.details.notOnRecord")}</Fact>
        <Fact term={t("checkin.details.email")}>{details.email || t("checkin.details.notOnRecord")}</Fact>
        <Fact term={t("checkin.details.insurance")}>
          {insurance ? (
            <>
              <div>{insurance.payer}</div>
              <div>{t("checkin.details.memberId", { id: insurance.member_id })}</div>
              {insurance.group_number && <div>{t("checkin.details.group", { group: insurance.group_number })}</div>}
            </>
          ) : (
            t("checkin.details.noInsurance")
          )}
        </Fact>
      </Facts>
      <ErrorSummary messages={errors.general} />
      {!changing ? (
        <ul className="usa-button-group">
          <li className="usa-button-group__item">
            <button type="button" className="usa-button" disabled={busy} onClick={() => void send(null)}>
              {busy ? t("checkin.sending") : t("checkin.details.confirm")}
            </button>
          </li>
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--outline" onClick={() => setChanging(true)}>
              {t("checkin.details.somethingChanged")}
            </button>
          </li>
        </ul>
      ) : (
        <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
          <fieldset className="usa-fieldset">
            <legend className="usa-legend usa-legend--large">{t("checkin.details.changeTitle")}</legend>
            <p className="usa-hint">{t("checkin.details.changeHint")}</p>
            <TextArea name="address" label={t("checkin.details.newAddress")} error={errors.fields.address} rows={2} maxLength={300} autoComplete="street-address" />
            <TextField name="phone" type="tel" label={t("checkin.details.newPhone")} error={errors.fields.phone} maxLength={40} autoComplete="tel" />
            <TextField name="email" type="email" label={t("checkin.details.newEmail")} error={errors.fields.email} maxLength={254} autoComplete="email" />
            <TextField name="insurance_payer" label={t("checkin.details.newPayer")} error={errors.fields.insurance_payer} maxLength={200} autoComplete="off" />
            <TextField name="insurance_member_id" label={t("checkin.details.newMemberId")} error={errors.fields.insurance_member_id} maxLength={60} autoComplete="off" />
            <TextField name="insurance_group_number" label={t("checkin.details.newGroup")} error={errors.fields.insurance_group_number} maxLength={60} autoComplete="off" />
            <TextArea name="note" label={t("checkin.details.note")} error={errors.fields.note} rows={3} maxLength={1000} />
          </fieldset>
          <ul className="usa-button-group margin-top-2">
            <li className="usa-button-group__item">
              <button type="submit" className="usa-button" disabled={busy}>
                {busy ? t("checkin.sending") : t("checkin.details.sendChanges")}
              </button>
            </li>
            <li className="usa-button-group__item">
              <button type="button" className="usa-button usa-button--unstyled" onClick={() => (setChanging(false), setErrors(noErrors))}>
                {t("checkin.details.noChanges")}
              </button>
            </li>
          </ul>
        </form>
      )}
    </>
  );
}
