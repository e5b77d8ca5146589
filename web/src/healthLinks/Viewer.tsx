import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { readSummary, type Summary, type SummaryLine } from "./ips";
import { decryptJwe, expired, needsPasscode, readShlink, type ShlPayload } from "./shlink";

// Files up to this size come in the manifest's answer itself (one request, no second origin).
const EMBEDDED_MAX = 5_000_000;

type Opened = { summary: Summary } | { problem: string; passcodeWrong?: boolean };

/**
 * The viewer of a SMART Health Link (`/shl#shlink:/...`): no sign-in. It reads the link from the
 * address's fragment, asks who is opening it (and the passcode when the link has one), fetches
 * the manifest and the encrypted file, decrypts it in the browser with the key the fragment holds
 * (never sent anywhere), and shows the summary in plain words.
 */
export function Viewer() {
  const { t } = useTranslation();
  usePageTitle(t("healthLinks.viewer.title"));
  const [payload] = useState(() => readShlink(window.location.hash));
  const [summary, setSummary] = useState<Summary | null>(null);
  if (payload === null) return <Said title={t("healthLinks.viewer.title")} text={t("healthLinks.viewer.noLink")} />;
  if (summary) return <SummaryView summary={summary} />;
  if (expired(payload)) return <Said title={t("healthLinks.viewer.title")} text={t("healthLinks.viewer.expired")} />;
  return <OpenForm payload={payload} onOpened={setSummary} />;
}

function Said({ title, text }: { title: string; text: string }) {
  return (
    <>
      <h1>{title}</h1>
      <p>{text}</p>
    </>
  );
}

async function open(payload: ShlPayload, recipient: string, passcode: string, t: (key: string, o?: object) => string): Promise<Opened> {
  let answer: Response;
  try {
    answer = await fetch(
      new Request(payload.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ recipient, ...(passcode && { passcode }), embeddedLengthMax: EMBEDDED_MAX }),
        credentials: "omit",
      }),
    );
  } catch {
    return { problem: t("errors.network") };
  }
  if (answer.status === 401) {
    const left = Number((await answer.json().catch(() => ({}))).remainingAttempts ?? 0);
    return {
      problem: left > 0 ? t("healthLinks.viewer.wrongPasscode", { count: left }) : t("healthLinks.viewer.locked"),
      passcodeWrong: true,
    };
  }
  if (answer.status === 404) return { problem: t("healthLinks.viewer.gone") };
  if (!answer.ok) return { problem: t("errors.unexpected") };
  try {
    const manifest = await answer.json();
    const file = manifest.files?.[0];
    const token: string = file?.embedded ?? (await (await fetch(new Request(file.location))).text());
    const summary = readSummary(JSON.parse(await decryptJwe(token, payload.key)));
    return summary ? { summary } : { problem: t("healthLinks.viewer.unreadable") };
  } catch {
    return { problem: t("healthLinks.viewer.unreadable") };
  }
}

function OpenForm({ payload, onOpened }: { payload: ShlPayload; onOpened: (summary: Summary) => void }) {
  const { t } = useTranslation();
  const [recipient, setRecipient] = useState("");
  const [passcode, setPasscode] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  const asksPasscode = needsPasscode(payload);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!recipient.trim()) missing.recipient = t("errors.required");
    if (asksPasscode && !passcode) missing.passcode = t("errors.required");
    setErrors(missing);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    const opened = await open(payload, recipient.trim(), passcode, t as never);
    setBusy(false);
    if ("summary" in opened) return onOpened(opened.summary);
    setProblem(opened.problem);
    if (opened.passcodeWrong) setPasscode("");
  };
  return (
    <>
      <h1>{t("healthLinks.viewer.title")}</h1>
      {payload.label && <p className="usa-intro">{t("healthLinks.viewer.label", { label: payload.label })}</p>}
      <p>{t("healthLinks.viewer.intro")}</p>
      <form className="usa-form usa-form--large" onSubmit={(event) => void submit(event)} noValidate>
        <ErrorSummary messages={problem ? [problem] : []} />
        <TextField
          name="recipient"
          label={t("healthLinks.viewer.recipient")}
          hint={t("healthLinks.viewer.recipientHint")}
          error={errors.recipient}
          value={recipient}
          maxLength={100}
          autoComplete="name"
          onChange={(event) => setRecipient(event.target.value)}
        />
        {asksPasscode && (
          <TextField
            name="passcode"
            type="password"
            label={t("healthLinks.viewer.passcode")}
            error={errors.passcode}
            value={passcode}
            maxLength={40}
            autoComplete="off"
            onChange={(event) => setPasscode(event.target.value)}
          />
        )}
        <button type="submit" className="usa-button" disabled={busy}>
          {t("healthLinks.viewer.open")}
        </button>
      </form>
    </>
  );
}

function SummaryView({ summary }: { summary: Summary }) {
  const { t } = useTranslation();
  const dates = useDates();
  const sections: [string, SummaryLine[]][] = [
    [t("healthLinks.viewer.allergies"), summary.allergies],
    [t("healthLinks.viewer.problems"), summary.problems],
    [t("healthLinks.viewer.medications"), summary.medications],
    [t("healthLinks.viewer.immunizations"), summary.immunizations],
    [t("healthLinks.viewer.results"), summary.results],
    [t("healthLinks.viewer.vitalSigns"), summary.vitalSigns],
  ];
  return (
    <>
      <h1>{t("healthLinks.viewer.summaryOf", { name: summary.patientName })}</h1>
      <ul className="usa-list usa-list--unstyled">
        {summary.birthDate && <li>{t("healthLinks.viewer.born", { date: dates.day(summary.birthDate) })}</li>}
        {summary.organization && <li>{t("healthLinks.viewer.from", { organization: summary.organization })}</li>}
        {summary.madeAt && <li>{t("healthLinks.viewer.madeAt", { when: dates.moment(summary.madeAt) })}</li>}
      </ul>
      {sections.map(([title, lines]) => (
        <section key={title} aria-label={title}>
          <h2>{title}</h2>
          {lines.length === 0 ? (
            <p>{t("healthLinks.viewer.noneListed")}</p>
          ) : (
            <ul className="usa-list">
              {lines.map((line, index) => (
                <li key={index}>
                  <strong>{line.what}</strong>
                  {line.detail && `: ${line.detail}`}
                  {line.when && ` (${dates.when(line.when) ?? line.when})`}
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </>
  );
}
