import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";
import type { Schemas } from "../api/client";
import { useDates } from "../components/dates";
import type { ActingFor } from "./types";

/** The patients the account acts for (GET /v1/me `acting_for`), one per grant in force. */
export function actingFor(me: Schemas["Me"]): ActingFor[] {
  return me.acting_for;
}

/**
 * "Viewing as": whose record the patient pages show, the account's own ("Me") or one it acts for.
 * The choice is kept in the address as `?record=` and the record's opaque id, as a connection's
 * is (never a name). Switching opens the same kind of page (its list, since an item of one record
 * is not another's) for the other record.
 */
export function ViewingAs({ chosen, ownId, grants }: { chosen: string; ownId?: string; grants: ActingFor[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const section = `/${pathname.split("/")[1] ?? ""}`;
  const choose = (patientId: string) =>
    navigate(patientId === ownId ? section : `${section}?record=${encodeURIComponent(patientId)}`);
  // The list only picks; the Show button switches. Switching as the arrow keys move through the
  // options would take a keyboard user to another record before they could read the rest.
  const [picked, setPicked] = useState(chosen);
  const [shownFor, setShownFor] = useState(chosen);
  if (shownFor !== chosen) {
    setShownFor(chosen);
    setPicked(chosen);
  }
  return (
    <form
      className="usa-form maxw-none margin-top-0 margin-bottom-2 display-flex flex-align-center flex-wrap"
      onSubmit={(event) => {
        event.preventDefault();
        if (picked !== chosen) choose(picked);
      }}
    >
      <label className="usa-label margin-top-0 margin-right-1" htmlFor="viewing-as">
        {t("proxies.viewing.label")}
      </label>
      <select
        id="viewing-as"
        className="usa-select width-auto margin-top-0 margin-right-1"
        value={picked}
        onChange={(event) => setPicked(event.target.value)}
      >
        {ownId !== undefined && <option value={ownId}>{t("proxies.viewing.me")}</option>}
        {grants.map((grant) => (
          <option key={grant.grant_id} value={grant.patient_id}>
            {grant.name}
          </option>
        ))}
      </select>
      <button type="submit" className="usa-button usa-button--outline margin-top-0">
        {t("proxies.viewing.show")}
      </button>
    </form>
  );
}

/** Whose record is shown, and how far the account's access goes. */
export function ProxyBanner({ proxy, now = new Date() }: { proxy: ActingFor; now?: Date }) {
  const { t } = useTranslation();
  const dates = useDates();
  // The cut-off is a date the reader can plan by: said ahead of it, and after it from when.
  const cutoff = (at: string) =>
    new Date(at) > now
      ? t("proxies.viewing.cutoffAhead", { date: dates.day(at) })
      : t("proxies.viewing.cutoffPast", { date: dates.day(at) });
  return (
    <div className="usa-alert usa-alert--info usa-alert--slim margin-bottom-2">
      <div className="usa-alert__body">
        <p className="usa-alert__text">
          {t("proxies.viewing.banner", {
            name: proxy.name,
            relationship: t(`proxies.relationshipAs.${proxy.relationship}`),
          })}
          {proxy.access === "read_only" && ` ${t("proxies.viewing.readOnly")}`}
          {proxy.visible_until !== null && ` ${cutoff(proxy.visible_until)}`}
        </p>
      </div>
    </div>
  );
}
