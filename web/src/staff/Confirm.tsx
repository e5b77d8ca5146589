/** What an action came to: the new state in words, or the API's refusal in its own words. */
export function Outcome({ outcome }: { outcome: { ok: boolean; text: string } | null }) {
  if (outcome === null) return null;
  return (
    <div
      className={`usa-alert usa-alert--slim margin-y-2 ${outcome.ok ? "usa-alert--success" : "usa-alert--error"}`}
      role={outcome.ok ? "status" : "alert"}
    >
      <div className="usa-alert__body">
        <p className="usa-alert__text">{outcome.text}</p>
      </div>
    </div>
  );
}
