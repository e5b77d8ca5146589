import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

/**
 * Recovery codes, shown this once (the API keeps only their hashes): the person confirms they
 * saved them before going on, since they are the way in when the phone is lost.
 */
export function RecoveryCodes({ codes, onSaved }: { codes: string[]; onSaved: () => void }) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []); // they replace the form that was sent: start here
  return (
    <section aria-labelledby={`${id}-title`} className="border-1px padding-2 margin-y-2">
      <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>{t("account.recovery.title")}</h2>
      <p>{t("account.recovery.intro")}</p>
      <ul className="usa-list usa-list--unstyled font-mono-md" aria-label={t("account.recovery.listLabel")}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="usa-checkbox margin-y-2">
        <input
          className="usa-checkbox__input"
          id={`${id}-saved`}
          type="checkbox"
          checked={saved}
          onChange={(event) => setSaved(event.target.checked)}
        />
        <label className="usa-checkbox__label" htmlFor={`${id}-saved`}>
          {t("account.recovery.saved")}
        </label>
      </div>
      <button className="usa-button" type="button" disabled={!saved} onClick={onSaved}>
        {t("account.recovery.done")}
      </button>
    </section>
  );
}
