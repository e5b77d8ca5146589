import { useTranslation } from "react-i18next";

/** The errors of a form that belong to no field it shows, above the form. */
export function ErrorSummary({ messages }: { messages: string[] }) {
  const { t } = useTranslation();
  if (messages.length === 0) return null;
  return (
    <div className="usa-alert usa-alert--error usa-alert--slim" role="alert">
      <div className="usa-alert__body">
        <h2 className="usa-sr-only">{t("errors.summary")}</h2>
        {messages.map((message) => (
          <p className="usa-alert__text" key={message}>
            {message}
          </p>
        ))}
      </div>
    </div>
  );
}
