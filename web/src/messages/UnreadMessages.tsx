import { useTranslation } from "react-i18next";
import { Link } from "react-router";

/** The patient's home: how many care-team messages wait unread (GET /v1/me), and the way to them. */
export function UnreadMessages({ count }: { count: number }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="home-messages">
      <h2 id="home-messages">{t("messages.home.title")}</h2>
      <p>
        {count > 0 ? (
          <Link to="/messages" className="text-bold">
            {t("messages.home.unread", { count })}
          </Link>
        ) : (
          <>
            {t("messages.home.none")} <Link to="/messages">{t("messages.home.open")}</Link>
          </>
        )}
      </p>
    </section>
  );
}
