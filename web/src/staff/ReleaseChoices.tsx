import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import { load } from "../api/errors";
import { Problem } from "../components/Problem";

export const releaseChoicesKey = (token: string, patientId: string) => ["staff-release-preferences", token, patientId];

/**
 * The patient's own choice of when new results are shown to them
 * (GET /v1/staff/patients/{id}/release-preferences): staff read it, to know why a result waits and
 * that a release after their review is what the patient asked for. Only the patient changes it.
 */
export function ReleaseChoices({ token, patientId }: { token: string; patientId: string }) {
  const { t } = useTranslation();
  const choices = useQuery({
    queryKey: releaseChoicesKey(token, patientId),
    queryFn: () =>
      load(() =>
        api.GET("/v1/staff/patients/{patient_id}/release-preferences", { params: { path: { patient_id: patientId } } }),
      ),
  });
  const waiting = (choices.data?.choices ?? []).filter((choice) => choice.release !== "at_once");
  return (
    <section aria-labelledby="release-choices" className="margin-top-3">
      <h2 id="release-choices">{t("staff.choices.title")}</h2>
      {choices.isPending && <p>{t("app.loading")}</p>}
      {choices.isError && <Problem message={choices.error.message} />}
      {choices.data && waiting.length === 0 && <p>{t("staff.choices.atOnce")}</p>}
      {waiting.length > 0 && (
        <ul className="usa-list">
          {waiting.map((choice) => {
            const kind = t(`staff.choices.category.${choice.category}`);
            return (
              <li key={choice.category}>
                {choice.release === "after_review"
                  ? t("staff.choices.afterReview", { kind, days: choices.data?.longest_wait_days ?? 7 })
                  : t("staff.choices.afterDays", { kind, count: choice.days ?? 0 })}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
