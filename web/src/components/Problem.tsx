import { useTranslation } from "react-i18next";

/** A refused or failed call, in the API's own sentence (or plain words when it gave none). */
export function Problem({ message }: { message: string }) {
  const { t } = useTranslation();
  return (
    <div className="usa-alert usa-alert--error usa-alert--slim" role="alert">
      <div className="usa-alert__body">
        <p className="usa-alert__text">{message || t("errors.unexpected")}</p>
      </div>
    </div>
  );
}
