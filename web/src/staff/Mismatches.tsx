import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { Confirm } from "../components/Confirm";
import { momentText, whenText } from "../components/dates";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";
import { act } from "./act";
import { patientName } from "./format";

type Held = Schemas["HeldMessage"];
type PatientSummary = Schemas["PatientSummary"];
type Asking =
  | { held: Held; decision: "same_patient" | "not_filed" }
  | { held: Held; decision: "another_patient"; patient: PatientSummary };

/**
 * Messages held before they could overlay a patient: their identifiers name a patient whose birth
 * date or family name they contradict. Staff compare both sides and decide: the same patient, another
 * patient (found by record number), or not filed. Nothing of a held message is filed until then.
 */
export function Mismatches() {
  const { t } = useTranslation();
  usePageTitle(t("staff.mismatches.title"));
  return <StaffPage>{(token) => <MismatchesView token={token} />}</StaffPage>;
}

function MismatchesView({ token }: { token: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const held = useQuery({
    queryKey: ["staff-mismatches", token],
    queryFn: () => load(() => api.GET("/v1/staff/feed/mismatches")),
  });
  const [asking, setAsking] = useState<Asking | null>(null);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const decide = useMutation({
    mutationFn: (choice: Asking) =>
      act(() =>
        api.POST("/v1/staff/feed/mismatches/{item_id}", {
          params: { path: { item_id: choice.held.id } },
          body:
            choice.decision === "another_patient"
              ? { decision: choice.decision, patient_id: choice.patient.patient_id }
              : { decision: choice.decision },
        }),
      ),
    onSuccess: (_answer, choice) => {
      setSaid({ ok: true, text: t(`staff.mismatches.done.${choice.decision}`, { name: label(choice.held) }) });
      void queryClient.invalidateQueries({ queryKey: ["staff-mismatches", token] });
    },
    onError: (error) => setSaid({ ok: false, text: error.message }),
    onSettled: () => setAsking(null),
  });

  function label(message: Held): string {
    return t("staff.mismatches.label", { type: message.message_type ?? "", control: message.control_id });
  }

  return (
    <>
      <h1>{t("staff.mismatches.title")}</h1>
      <p className="usa-intro">{t("staff.mismatches.intro")}</p>
      <Notice text={said?.text} ok={said?.ok} />
      {asking && (
        <Confirm
          key={`${asking.decision}-${asking.held.id}`}
          question={t(`staff.mismatches.ask.${asking.decision}`, {
            name: label(asking.held),
            patient: asking.decision === "another_patient" ? patientName(asking.patient) : patientName(asking.held.patient),
          })}
          confirmLabel={t(`staff.mismatches.confirm.${asking.decision}`)}
          busy={decide.isPending}
          onConfirm={() => decide.mutate(asking)}
          onCancel={() => setAsking(null)}
        />
      )}
      {held.isPending && <p>{t("app.loading")}</p>}
      {held.isError && <Problem message={held.error.message} />}
      {held.data &&
        (held.data.mismatches.length === 0 ? (
          <p>{t("staff.mismatches.none")}</p>
        ) : (
          held.data.mismatches.map((message) => (
            <HeldCard
              key={message.id}
              held={message}
              label={label(message)}
              busy={decide.isPending}
              onChoose={(choice) => {
                setSaid(null);
                setAsking(choice);
              }}
            />
          ))
        ))}
    </>
  );
}

function HeldCard({
  held,
  label,
  busy,
  onChoose,
}: {
  held: Held;
  label: string;
  busy: boolean;
  onChoose: (choice: Asking) => void;
}) {
  const { t, i18n } = useTranslation();
  const sent = held.message_patient;
  const differs = new Set(held.differs);
  const rows: { key: string; name: string; ours: string; theirs: string; differs: boolean }[] = [
    {
      key: "family",
      name: t("staff.mismatches.familyName"),
      ours: held.patient.family_name,
      theirs: sent
        ? [sent.family_name, ...sent.previous_family_names.map((n) => t("staff.mismatches.earlier", { name: n }))].join(", ")
        : "",
      differs: differs.has("family_name"),
    },
    {
      key: "given",
      name: t("staff.mismatches.givenNames"),
      ours: held.patient.given_names.join(" "),
      theirs: sent?.given_names.join(" ") ?? "",
      differs: false,
    },
    {
      key: "birth",
      name: t("staff.mismatches.birthDate"),
      ours: whenText(held.patient.birth_date, i18n.language) ?? t("staff.notGiven"),
      theirs: sent ? (whenText(sent.birth_date, i18n.language) ?? t("staff.notGiven")) : "",
      differs: differs.has("birth_date"),
    },
    {
      key: "sex",
      name: t("staff.mismatches.sex"),
      ours: held.patient.sex ? t(`staff.sex.${held.patient.sex}`) : t("staff.notGiven"),
      theirs: sent ? (sent.sex ? t(`staff.sex.${sent.sex}`) : t("staff.notGiven")) : "",
      differs: false,
    },
    {
      key: "identifiers",
      name: t("staff.mismatches.identifiers"),
      ours: held.patient.identifiers.map((i) => `${i.authority} ${i.value}`).join(", "),
      theirs: sent?.identifiers.map((i) => `${i.authority ?? t("staff.mismatches.noAuthority")} ${i.value}`).join(", ") ?? "",
      differs: false,
    },
  ];
  const headingId = `held-${held.id}`;
  return (
    <section className="border-1px border-base-lighter radius-md padding-2 margin-bottom-3" aria-labelledby={headingId}>
      <h2 id={headingId} className="margin-top-0">
        {label}
      </h2>
      <p>
        {t("staff.mismatches.from", { sender: held.sender, when: momentText(held.received_at, i18n.language) })}
      </p>
      {sent === null && <p>{t("staff.mismatches.unreadable")}</p>}
      <div className="usa-table-container--scrollable" tabIndex={0}>
        <table className="usa-table usa-table--borderless width-full">
          <caption className="usa-sr-only">{t("staff.mismatches.compare", { name: label })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("staff.mismatches.field")}</th>
              <th scope="col">{t("staff.mismatches.inPortal")}</th>
              <th scope="col">{t("staff.mismatches.inMessage")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">
                  {row.name}
                  {row.differs && (
                    <>
                      {" "}
                      <span className="usa-tag bg-secondary-dark">{t("staff.mismatches.differs")}</span>
                    </>
                  )}
                </th>
                <td>{row.ours}</td>
                <td>{row.theirs}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="usa-button-group margin-top-2">
        <li className="usa-button-group__item">
          <button
            type="button"
            className="usa-button"
            disabled={busy}
            aria-label={t("staff.mismatches.sameNamed", { name: label })}
            onClick={() => onChoose({ held, decision: "same_patient" })}
          >
            {t("staff.mismatches.same", { patient: patientName(held.patient) })}
          </button>
        </li>
        <li className="usa-button-group__item">
          <button
            type="button"
            className="usa-button usa-button--outline"
            disabled={busy}
            aria-label={t("staff.mismatches.notFiledNamed", { name: label })}
            onClick={() => onChoose({ held, decision: "not_filed" })}
          >
            {t("staff.mismatches.notFiled")}
          </button>
        </li>
      </ul>
      <AnotherPatient held={held} label={label} busy={busy} onChoose={onChoose} />
    </section>
  );
}

/** "It is another patient's": found by the organization's record number, then confirmed. */
function AnotherPatient({
  held,
  label,
  busy,
  onChoose,
}: {
  held: Held;
  label: string;
  busy: boolean;
  onChoose: (choice: Asking) => void;
}) {
  const { t } = useTranslation();
  const [problem, setProblem] = useState("");
  const [looking, setLooking] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const mrn = String(new FormData(event.currentTarget).get("mrn") ?? "").trim();
    if (!mrn) {
      setProblem(t("errors.required"));
      return;
    }
    setProblem("");
    setLooking(true);
    try {
      const { data } = await api.POST("/v1/staff/patients/search", { body: { mrn } });
      const [found] = data?.patients ?? [];
      if (found) onChoose({ held, decision: "another_patient", patient: found.patient });
      else setProblem(data ? t("staff.mismatches.noSuchPatient") : t("errors.unexpected"));
    } catch {
      setProblem(t("errors.network"));
    } finally {
      setLooking(false);
    }
  }

  return (
    <details className="margin-top-2">
      <summary>{t("staff.mismatches.another")}</summary>
      <form className="usa-form" onSubmit={onSubmit} noValidate aria-label={t("staff.mismatches.anotherNamed", { name: label })}>
        <TextField
          name="mrn"
          label={t("staff.mismatches.anotherMrn")}
          hint={t("staff.mismatches.anotherHint")}
          error={problem || undefined}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" className="usa-button usa-button--outline" disabled={busy || looking}>
          {t("staff.mismatches.anotherFind")}
        </button>
      </form>
    </details>
  );
}
