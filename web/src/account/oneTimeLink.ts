import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { useLinkToken } from "./linkToken";
import { type Outcome, submit } from "./submit";

/**
 * An emailed link that works once and needs nothing more from its reader (an address confirmed):
 * its ?token= is sent as soon as the page opens, once, and the page shows what came of it.
 * ``problem`` is the sentence to show when there was no token or the API refused it; null while
 * it is on its way and once it worked (``outcome.data``).
 */
export function useOneTimeLink<T>(
  call: (token: string) => Promise<{ data?: T; error?: unknown; response?: Response }>,
  onSuccess?: (outcome: Outcome<T>) => unknown,
): { outcome: Outcome<T> | undefined; problem: string | null } {
  const { t } = useTranslation();
  const token = useLinkToken("token");
  const used = useMutation({ mutationFn: () => submit(() => call(token), ["token"]), onSuccess });
  const { mutate } = used;
  const sent = useRef(false);
  // Once per page (StrictMode runs effects twice): the link works once, so a second call would
  // only say it was used.
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    mutate();
  }, [token, mutate]);

  const outcome = used.data;
  const problem = !token
    ? t("account.link.missing")
    : outcome?.errors
      ? (outcome.errors.fields.token ?? outcome.errors.general.join(" "))
      : null;
  return { outcome, problem };
}
