import { useTranslation } from "react-i18next";
import type { Schemas } from "../api/client";
import { momentText } from "../components/dates";

type Delivery = Schemas["EmailDelivery"];

/**
 * What became of an invitation's email, in words: waiting to be sent, sent (and when), or could
 * not be sent and why. An email that failed is no sign the patient ignored it: staff can send the
 * invitation again (the button next to it) or, once it waits on the dead-letter queue, ask their
 * administrator to have it sent again.
 */
export function EmailDelivery({ delivery }: { delivery: Delivery | null }) {
  const { t, i18n } = useTranslation();
  if (delivery === null) return <>{t("staff.delivery.unknown")}</>;
  if (delivery.state === "queued") return <>{t("staff.delivery.queued")}</>;
  if (delivery.state === "not_emailed") return <>{t("staff.delivery.notEmailed")}</>;
  if (delivery.state === "sent")
    return <>{t("staff.delivery.sent", { when: momentText(delivery.sent_at ?? delivery.updated_at, i18n.language) })}</>;
  return (
    <strong className="text-secondary-dark">
      {t("staff.delivery.failed", { reason: t(`staff.delivery.reason.${delivery.reason ?? "not_sent"}`) })}
    </strong>
  );
}
