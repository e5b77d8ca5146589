import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { usePageTitle } from "../components/usePageTitle";

export function NotFound() {
  const { t } = useTranslation();
  usePageTitle(t("notFound.title"));
  return (
    <>
      <h1>{t("notFound.title")}</h1>
      <p>{t("notFound.text")}</p>
      <Link to="/">{t("notFound.home")}</Link>
    </>
  );
}
