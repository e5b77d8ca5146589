import { useTranslation } from "react-i18next";
import { namedMoment } from "../components/clinicTime";
import { useDates } from "../components/dates";
import { Fact, Facts } from "../components/Facts";
import { SignedFormList } from "./SignedForms";
import type { AnswerValue, CheckIn, QuestionItem } from "./types";

/**
 * A check-in as it stands, read-only, for the clinic's staff: its state, the patient's details and
 * whether they asked for changes, the answers beside their questions, and the signed forms with
 * their PDFs.
 */
export function CheckInSummary({ checkIn, patientId }: { checkIn: CheckIn; patientId: string }) {
  const { t, i18n } = useTranslation();
  const dates = useDates();
  const details = checkIn.details;
  const answers = new Map((checkIn.answers ?? []).map((answer) => [answer.link_id, answer.value]));
  const questions = (checkIn.questionnaire?.items ?? []).filter((item) => item.type !== "display");
  return (
    <>
      <p className="text-bold">
        {t(`checkin.state.${checkIn.state}`)}
        {checkIn.completed_at && <> {t("checkin.summary.completedAt", { date: namedMoment(checkIn.completed_at, i18n.language, null, "long") })}</>}
      </p>
      <section aria-labelledby="summary-details">
        <h2 id="summary-details">{t("checkin.summary.detailsTitle")}</h2>
        {details.change_requested ? (
          <>
            <p className="text-bold">{t("checkin.summary.changeRequested")}</p>
            {details.requested_change && <RequestedChange change={details.requested_change} />}
          </>
        ) : details.confirmed_at ? (
          <p>{t("checkin.summary.confirmed", { date: namedMoment(details.confirmed_at, i18n.language, null, "long") })}</p>
        ) : (
          <p>{t("checkin.summary.notConfirmed")}</p>
        )}
        <Facts>
          <Fact term={t("checkin.details.name")}>{details.name}</Fact>
          <Fact term={t("checkin.details.birthDate")}>{details.birth_date ? dates.day(details.birth_date) : t("checkin.notGiven")}</Fact>
          <Fact term={t("checkin.details.address")}>{details.address || t("checkin.notGiven")}</Fact>
          <Fact term={t("checkin.details.phone")}>{details.phone || t("checkin.notGiven")}</Fact>
          <Fact term={t("checkin.details.email")}>{details.email || t("checkin.notGiven")}</Fact>
          <Fact term={t("checkin.details.insurance")}>
            {details.insurance
              ? `${details.insurance.payer}, ${t("checkin.details.memberId", { id: details.insurance.member_id })}`
              : t("checkin.details.noInsurance")}
          </Fact>
        </Facts>
      </section>
      <section aria-labelledby="summary-answers">
        <h2 id="summary-answers">{t("checkin.steps.questions")}</h2>
        {questions.length === 0 ? (
          <p>{t("checkin.questions.none")}</p>
        ) : checkIn.answers === null ? (
          <p>{t("checkin.summary.notAnswered")}</p>
        ) : (
          <dl>
            {questions.map((item) => (
              <div key={item.link_id} className="margin-bottom-1">
                <dt className="text-bold">{item.text}</dt>
                <dd className="margin-left-0">
                  {answerText(item, answers.get(item.link_id) ?? null, {
                    yes: t("checkin.questions.yes"),
                    no: t("checkin.questions.no"),
                    none: t("checkin.summary.noAnswer"),
                  })}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <p>{t("checkin.summary.formsSigned", { signed: checkIn.forms.filter((f) => f.signed).length, count: checkIn.forms.length })}</p>
      <SignedFormList checkIn={checkIn} staffPatientId={patientId} />
    </>
  );
}

/** What the patient asked staff to change, field by field (what they left empty is not listed). */
function RequestedChange({ change }: { change: NonNullable<CheckIn["details"]["requested_change"]> }) {
  const { t } = useTranslation();
  const asked = [
    [t("checkin.details.address"), change.address],
    [t("checkin.details.phone"), change.phone],
    [t("checkin.details.email"), change.email],
    [
      t("checkin.details.insurance"),
      change.insurance
        ? [change.insurance.payer, t("checkin.details.memberId", { id: change.insurance.member_id }), change.insurance.group_number]
            .filter(Boolean)
            .join(", ")
        : null,
    ],
    [t("checkin.summary.note"), change.note],
  ].filter((pair): pair is [string, string] => Boolean(pair[1]));
  return (
    <div className="bg-base-lightest padding-2 margin-bottom-2 radius-md">
      <h3 className="margin-top-0">{t("checkin.summary.askedTitle")}</h3>
      <dl className="margin-0">
        {asked.map(([term, value]) => (
          <div key={term} className="margin-bottom-1">
            <dt className="text-bold">{term}</dt>
            <dd className="margin-left-0" style={{ whiteSpace: "pre-wrap" }}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/** An answer in words: yes or no, a choice's display text, or the value as given. */
function answerText(item: QuestionItem, value: AnswerValue, words: { yes: string; no: string; none: string }): string {
  if (value === null || value === "") return words.none;
  if (typeof value === "boolean") return value ? words.yes : words.no;
  if (item.type === "choice") return item.options.find((option) => option.code === value)?.display ?? String(value);
  return String(value);
}
