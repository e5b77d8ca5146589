import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { momentText, whenText } from "../components/dates";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";
import { act } from "./act";
import { patientName, recordNumbers } from "./format";
import { fetchWorklist, worklistKey } from "./queries";

type Item = Schemas["WorklistItem"];
type CallOutcome = Schemas["CloseItem"]["outcome"];
const outcomes: CallOutcome[] = ["reached", "left_message", "no_answer", "done", "other"];
const knownTasks = [
  "call_patient",
  "move_portal_account",
  "review_details_change",
  "proxy_access_narrowed",
  "proxy_access_ended",
] as const;
// A proxy's access that narrowed or ended: its result_id is the grant, which the patient's page lists.
const proxyTasks: readonly string[] = ["proxy_access_narrowed", "proxy_access_ended"];


/** The organization's open worklist items, oldest first, with who to call; each closed with its outcome. */
export function Worklist() {
  const { t } = useTranslation();
  usePageTitle(t("staff.worklist.title"));
  return <StaffPage>{(token) => <WorklistView token={token} />}</StaffPage>;
}

function WorklistView({ token }: { token: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const items = useQuery({ queryKey: worklistKey(token), queryFn: fetchWorklist });
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const close = useMutation({
    mutationFn: ({ item, outcome }: { item: Item; outcome: CallOutcome }) =>
      act(() =>
        api.POST("/v1/staff/worklist/{item_id}/done", { params: { path: { item_id: item.item_id } }, body: { outcome } }),
      ),
    onSuccess: (answer, { item, outcome }) => {
      setSaid({
        ok: true,
        text: t("staff.worklist.closed", {
          who: item.patient ? patientName(item.patient) : t("staff.worklist.unknownPatient"),
          outcome: t(`staff.outcome.${answer?.outcome ?? outcome}`),
        }),
      });
      void queryClient.invalidateQueries({ queryKey: worklistKey(token) });
    },
    onError: (error) => setSaid({ ok: false, text: error.message }),
  });

  return (
    <>
      <h1>{t("staff.worklist.title")}</h1>
      <p>{t("staff.worklist.intro")}</p>
      <Notice text={said?.text} ok={said?.ok} />
      {items.isPending && <p>{t("app.loading")}</p>}
      {items.isError && <Problem message={items.error.message} />}
      {items.data &&
        (items.data.items.length === 0 ? (
          <p>{t("staff.worklist.none")}</p>
        ) : (
          <table className="usa-table usa-table--stacked usa-table--borderless width-full">
            <caption className="text-left">{t("staff.worklist.caption", { count: items.data.items.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("staff.worklist.opened")}</th>
                <th scope="col">{t("staff.worklist.task")}</th>
                <th scope="col">{t("staff.worklist.who")}</th>
                <th scope="col">{t("staff.worklist.close")}</th>
              </tr>
            </thead>
            <tbody>
              {items.data.items.map((item) => (
                <ItemRow
                  key={item.item_id}
                  item={item}
                  busy={close.isPending}
                  onClose={(outcome) => {
                    setSaid(null);
                    close.mutate({ item, outcome });
                  }}
                />
              ))}
            </tbody>
          </table>
        ))}
    </>
  );
}

function ItemRow({ item, busy, onClose }: { item: Item; busy: boolean; onClose: (outcome: CallOutcome) => void }) {
  const { t, i18n } = useTranslation();
  const [outcome, setOutcome] = useState<CallOutcome>("reached");
  const { patient } = item;
  const task = (knownTasks as readonly string[]).includes(item.task)
    ? t(`staff.task.${item.task as (typeof knownTasks)[number]}`)
    : item.task;
  const selectId = `outcome-${item.item_id}`;
  return (
    <tr>
      <td data-label={t("staff.worklist.opened")}>{momentText(item.created_at, i18n.language)}</td>
      <td data-label={t("staff.worklist.task")}>
        {task}
        {item.result_version > 1 && ` ${t("staff.worklist.version", { version: item.result_version })}`}
      </td>
      <th scope="row" data-label={t("staff.worklist.who")}>
        {patient ? (
          <>
            <Link to={`/staff/patients/${encodeURIComponent(patient.patient_id)}`}>{patientName(patient)}</Link>
            <br />
            <span className="text-normal">
              {t("staff.worklist.born", { when: whenText(patient.birth_date, i18n.language) ?? t("staff.notGiven") })}
              {recordNumbers(patient).length > 0 && ` · ${t("staff.patient.mrn")}: ${recordNumbers(patient).join(", ")}`}
            </span>
            {item.result_id &&
              !proxyTasks.includes(item.task) &&
              (item.task === "review_details_change" ? (
                // A change asked for at check-in: its result_id is the visit whose check-in holds it.
                <>
                  <br />
                  <Link
                    className="text-normal"
                    to={`/staff/patients/${encodeURIComponent(patient.patient_id)}/appointments/${encodeURIComponent(item.result_id)}/check-in`}
                  >
                    {t("staff.worklist.checkIn")}
                  </Link>
                </>
              ) : (
                <>
                  <br />
                  <Link className="text-normal" to={`/staff/patients/${encodeURIComponent(patient.patient_id)}/results`}>
                    {t("staff.worklist.results")}
                  </Link>
                </>
              ))}
          </>
        ) : (
          t("staff.worklist.unknownPatient")
        )}
      </th>
      <td data-label={t("staff.worklist.close")}>
        <label className="usa-label margin-top-0" htmlFor={selectId}>
          {t("staff.worklist.outcome")}
          {/* each row has one: a screen reader's list of fields says whose each is */}
          <span className="usa-sr-only"> {t("staff.worklist.outcomeFor", { who: patient ? patientName(patient) : item.item_id })}</span>
        </label>
        <select
          className="usa-select"
          id={selectId}
          value={outcome}
          onChange={(event) => setOutcome(event.target.value as CallOutcome)}
        >
          {outcomes.map((value) => (
            <option key={value} value={value}>
              {t(`staff.outcome.${value}`)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="usa-button margin-top-1"
          disabled={busy}
          aria-label={t("staff.worklist.closeNamed", { who: patient ? patientName(patient) : item.item_id })}
          onClick={() => onClose(outcome)}
        >
          {t("staff.worklist.closeItem")}
        </button>
      </td>
    </tr>
  );
}
