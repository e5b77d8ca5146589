import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { Confirm } from "../components/Confirm";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Fact, Facts } from "../components/Facts";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import {
  createLink,
  fetchLink,
  fetchLinks,
  fetchUses,
  type HealthLinkView,
  revokeLink,
  type SharedHealthLink,
} from "./calls";

const DAYS = [1, 7, 30, 90] as const;
const FIELDS = ["label", "expires_in_days", "passcode"] as const;

/**
 * "Share my record": a SMART Health Link to a summary of the record (an International Patient
 * Summary) that the patient shows as a QR code or sends as a link; each link's status and who
 * opened it; stopping one (asked first). A proxy shares the record they act for, if their access
 * lets them act, and sees the links they made.
 */
export function Share() {
  const { t } = useTranslation();
  usePageTitle(t("healthLinks.title"));
  return <PatientPage area="health_summary">{(record) => <ShareView record={record} />}</PatientPage>;
}

function ShareView({ record }: { record: RecordView }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState("");
  const [shown, setShown] = useState<SharedHealthLink | null>(null);
  const key = ["health-links", record.token, record.patientId];
  const links = useQuery({ queryKey: key, queryFn: () => fetchLinks(record.patientId) });
  const changed = (message: string) => {
    setNotice(message);
    void queryClient.invalidateQueries({ queryKey: key });
  };
  return (
    <>
      <h1>{t("healthLinks.title")}</h1>
      <p>{record.says("healthLinks.intro", "healthLinks.introOther")}</p>
      <p>{t("healthLinks.warning")}</p>
      <Notice text={notice} />
      {shown && <ShownLink link={shown} onClose={() => setShown(null)} />}
      {!record.readOnly && (
        <NewLink
          record={record}
          onMade={(made) => {
            setShown(made);
            changed(t("healthLinks.made"));
          }}
        />
      )}
      <section aria-labelledby="links-heading" className="margin-top-4">
        <h2 id="links-heading">{t("healthLinks.listTitle")}</h2>
        {links.isPending && <p>{t("app.loading")}</p>}
        {links.isError && <Problem message={links.error.message} />}
        {links.data &&
          (links.data.links.length === 0 ? (
            <p>{t("healthLinks.none")}</p>
          ) : (
            <ul className="usa-card-group margin-top-2">
              {links.data.links.map((link) => (
                <LinkCard key={link.link_id} record={record} link={link} onShow={setShown} onDone={changed} />
              ))}
            </ul>
          ))}
      </section>
    </>
  );
}

function NewLink({ record, onMade }: { record: RecordView; onMade: (link: SharedHealthLink) => void }) {
  const { t } = useTranslation();
  const [label, setLabel] = useState("");
  const [days, setDays] = useState<number>(30);
  const [passcode, setPasscode] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const body = { label: label.trim(), expires_in_days: days, ...(passcode && { passcode }) };
  const make = useMutation({
    mutationFn: () => createLink(record.patientId, body),
    onSuccess: (made) => {
      setErrors(noErrors);
      setLabel("");
      setPasscode("");
      onMade(made);
    },
    onError: (error) => setErrors(formErrors(error, FIELDS, t("errors.network"))),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (passcode && (passcode.length < 6 || passcode.length > 40))
      return setErrors({ fields: { passcode: t("healthLinks.form.passcodeLength") }, general: [] });
    make.mutate();
  };
  return (
    <section aria-labelledby="new-link-heading" className="margin-top-4">
      <h2 id="new-link-heading">{t("healthLinks.form.title")}</h2>
      <form className="usa-form usa-form--large" onSubmit={submit} noValidate>
        <ErrorSummary messages={errors.general} />
        <TextField
          name="label"
          label={t("healthLinks.form.label")}
          hint={t("healthLinks.form.labelHint")}
          error={errors.fields.label}
          value={label}
          maxLength={80}
          autoComplete="off"
          onChange={(event) => setLabel(event.target.value)}
        />
        <label className="usa-label" htmlFor="expires_in_days">
          {t("healthLinks.form.expires")}
        </label>
        <select
          className="usa-select"
          id="expires_in_days"
          name="expires_in_days"
          value={days}
          onChange={(event) => setDays(Number(event.target.value))}
        >
          {DAYS.map((count) => (
            <option key={count} value={count}>
              {t("healthLinks.form.days", { count })}
            </option>
          ))}
        </select>
        <TextField
          name="passcode"
          label={t("healthLinks.form.passcode")}
          hint={t("healthLinks.form.passcodeHint")}
          error={errors.fields.passcode}
          value={passcode}
          maxLength={40}
          autoComplete="off"
          onChange={(event) => setPasscode(event.target.value)}
        />
        <button type="submit" className="usa-button" disabled={make.isPending}>
          {t("healthLinks.form.make")}
        </button>
      </form>
    </section>
  );
}

/** A working link: its QR code and the link to copy. */
function ShownLink({ link, onClose }: { link: SharedHealthLink; onClose: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const qr = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.qr_svg)}`;
  return (
    <section aria-labelledby="shown-heading" className="usa-summary-box margin-top-2">
      <h2 id="shown-heading" className="usa-summary-box__heading">
        {link.label ? t("healthLinks.shown.titleNamed", { label: link.label }) : t("healthLinks.shown.title")}
      </h2>
      <img src={qr} alt={t("healthLinks.shown.qrAlt")} width={264} height={264} />
      <p>{t("healthLinks.shown.scan")}</p>
      <label className="usa-label" htmlFor="shared-link">
        {t("healthLinks.shown.link")}
      </label>
      <input className="usa-input" id="shared-link" readOnly value={link.viewer_url} onFocus={(e) => e.target.select()} />
      {link.passcode && <p>{t("healthLinks.shown.passcode")}</p>}
      <ul className="usa-button-group margin-top-2">
        <li className="usa-button-group__item">
          <button
            type="button"
            className="usa-button"
            onClick={() => {
              void navigator.clipboard?.writeText(link.viewer_url).then(() => setCopied(true));
            }}
          >
            {t("healthLinks.shown.copy")}
          </button>
        </li>
        <li className="usa-button-group__item">
          <button type="button" className="usa-button usa-button--outline" onClick={onClose}>
            {t("healthLinks.shown.close")}
          </button>
        </li>
      </ul>
      {copied && <p role="status">{t("healthLinks.shown.copied")}</p>}
    </section>
  );
}

function LinkCard({
  record,
  link,
  onShow,
  onDone,
}: {
  record: RecordView;
  link: HealthLinkView;
  onShow: (link: SharedHealthLink) => void;
  onDone: (said: string) => void;
}) {
  const { t } = useTranslation();
  const dates = useDates();
  const [usesOpen, setUsesOpen] = useState(false);
  const name = link.label || t("healthLinks.unlabelled");
  const show = useMutation({ mutationFn: () => fetchLink(record.patientId, link.link_id), onSuccess: onShow });
  return (
    <li className="usa-card tablet:grid-col-6">
      <div className="usa-card__container">
        <div className="usa-card__header">
          <h3 className="usa-card__heading">{name}</h3>
        </div>
        <div className="usa-card__body">
          <Facts>
            <Fact term={t("healthLinks.card.status")}>{statusWords(link, t, dates.day)}</Fact>
            <Fact term={t("healthLinks.card.made")}>
              {dates.day(link.created_at)}
              {link.made_by !== "you" && ` (${t(`healthLinks.madeBy.${link.made_by}`)})`}
            </Fact>
            {link.status === "active" && <Fact term={t("healthLinks.card.expires")}>{dates.day(link.expires_at)}</Fact>}
            <Fact term={t("healthLinks.card.passcode")}>{t(link.passcode ? "healthLinks.card.yes" : "healthLinks.card.no")}</Fact>
            <Fact term={t("healthLinks.card.opened")}>{t("healthLinks.card.times", { count: link.use_count })}</Fact>
          </Facts>
          {usesOpen && <Uses record={record} link={link} />}
        </div>
        <div className="usa-card__footer">
          {show.isError && <Problem message={show.error.message} />}
          <ul className="usa-button-group">
            {link.status === "active" && (
              <li className="usa-button-group__item">
                <button type="button" className="usa-button" disabled={show.isPending} onClick={() => show.mutate()}>
                  {t("healthLinks.card.show")}
                  <span className="usa-sr-only"> {t("healthLinks.card.forName", { name })}</span>
                </button>
              </li>
            )}
            <li className="usa-button-group__item">
              <button
                type="button"
                className="usa-button usa-button--outline"
                aria-expanded={usesOpen}
                onClick={() => setUsesOpen(!usesOpen)}
              >
                {t("healthLinks.card.uses")}
                <span className="usa-sr-only"> {t("healthLinks.card.forName", { name })}</span>
              </button>
            </li>
            {link.status === "active" && !record.readOnly && (
              <li className="usa-button-group__item">
                <Revoke record={record} link={link} name={name} onDone={onDone} />
              </li>
            )}
          </ul>
        </div>
      </div>
    </li>
  );
}

function Uses({ record, link }: { record: RecordView; link: HealthLinkView }) {
  const { t } = useTranslation();
  const dates = useDates();
  const uses = useQuery({
    queryKey: ["health-link-uses", record.token, record.patientId, link.link_id, link.use_count, link.last_used_at],
    queryFn: () => fetchUses(record.patientId, link.link_id),
  });
  if (uses.isPending) return <p>{t("app.loading")}</p>;
  if (uses.isError) return <Problem message={uses.error.message} />;
  if (uses.data.uses.length === 0) return <p>{t("healthLinks.uses.none")}</p>;
  return (
    <ul className="usa-list">
      {uses.data.uses.map((use, index) => (
        <li key={`${use.at}-${index}`}>
          {t(`healthLinks.uses.${use.outcome}`, { who: use.recipient || t("healthLinks.uses.nobody"), when: dates.moment(use.at) })}
        </li>
      ))}
    </ul>
  );
}

function Revoke({
  record,
  link,
  name,
  onDone,
}: {
  record: RecordView;
  link: HealthLinkView;
  name: string;
  onDone: (said: string) => void;
}) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const revoke = useMutation({
    mutationFn: () => revokeLink(record.patientId, link.link_id),
    onSuccess: () => onDone(t("healthLinks.revoked", { name })),
  });
  return (
    <>
      <button
        ref={button}
        type="button"
        className="usa-button usa-button--secondary"
        aria-expanded={asking}
        onClick={() => setAsking(true)}
      >
        {t("healthLinks.revoke")}
        <span className="usa-sr-only"> {t("healthLinks.card.forName", { name })}</span>
      </button>
      {asking && (
        <Confirm
          question={t("healthLinks.revokeQuestion", { name })}
          confirmLabel={t("healthLinks.revokeYes")}
          cancelLabel={t("healthLinks.revokeNo")}
          onConfirm={() => revoke.mutate()}
          onCancel={() => {
            revoke.reset();
            setAsking(false);
          }}
          busy={revoke.isPending}
          opener={button.current}
        >
          {revoke.isError && <Problem message={formErrors(revoke.error, [], t("errors.network")).general.join(" ")} />}
        </Confirm>
      )}
    </>
  );
}

/** A link's status in words, dated when it ended ("Stopped on …", "Expired on …"): an ended link never says "Works until". */
function statusWords(link: HealthLinkView, t: TFunction, day: (value: string) => string): string {
  if (link.status === "revoked" && link.revoked_at) return t("healthLinks.status.revokedOn", { date: day(link.revoked_at) });
  if (link.status === "expired") return t("healthLinks.status.expiredOn", { date: day(link.expires_at) });
  return t(`healthLinks.status.${link.status}`);
}
