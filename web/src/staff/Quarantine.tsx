import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { Confirm } from "../components/Confirm";
import { momentText } from "../components/dates";
import { Notice } from "../components/Notice";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";
import { act } from "./act";

type Message = Schemas["QuarantinedMessage"];
type Step = "replay" | "dismiss";
const PAGE_SIZE = 20;

/**
 * Feed messages that could not be filed, newest first, a page at a time: their metadata only (the
 * body stays archived). Staff replay one once its cause is fixed, or dismiss it.
 */
export function Quarantine() {
  const { t } = useTranslation();
  usePageTitle(t("staff.quarantine.title"));
  return <StaffPage>{(token) => <QuarantineView token={token} />}</StaffPage>;
}

function QuarantineView({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const messages = useQuery({
    queryKey: ["staff-quarantine", token, cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/staff/feed/quarantine", { params: { query: { limit: PAGE_SIZE, ...(cursor && { cursor }) } } }),
      ),
  });
  const [asking, setAsking] = useState<{ message: Message; step: Step } | null>(null);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const change = useMutation({
    mutationFn: ({ message, step }: { message: Message; step: Step }) =>
      act(() =>
        step === "replay"
          ? api.POST("/v1/staff/feed/quarantine/{item_id}/replay", { params: { path: { item_id: message.id } } })
          : api.POST("/v1/staff/feed/quarantine/{item_id}/dismiss", { params: { path: { item_id: message.id } } }),
      ),
    onSuccess: (_answer, { message, step }) => {
      setSaid({ ok: true, text: t(`staff.quarantine.done.${step}`, { name: label(message) }) });
      void queryClient.invalidateQueries({ queryKey: ["staff-quarantine", token] });
    },
    onError: (error) => setSaid({ ok: false, text: error.message }),
    onSettled: () => setAsking(null),
  });

  function label(message: Message): string {
    return t("staff.quarantine.label", {
      type: message.message_type ?? t("staff.quarantine.unknownType"),
      control: message.control_id ?? t("staff.notGiven"),
    });
  }

  return (
    <>
      <h1>{t("staff.quarantine.title")}</h1>
      <p>{t("staff.quarantine.intro")}</p>
      <Notice text={said?.text} ok={said?.ok} />
      {asking && (
        <Confirm
          key={`${asking.step}-${asking.message.id}`}
          question={t(`staff.quarantine.ask.${asking.step}`, { name: label(asking.message) })}
          confirmLabel={t(`staff.quarantine.confirm.${asking.step}`)}
          busy={change.isPending}
          onConfirm={() => change.mutate(asking)}
          onCancel={() => setAsking(null)}
        />
      )}
      {messages.isPending && <p>{t("app.loading")}</p>}
      {messages.isError && <Problem message={messages.error.message} />}
      {messages.data && (
        <>
          {messages.data.messages.length === 0 ? (
            <p>{t("staff.quarantine.none")}</p>
          ) : (
            <table className="usa-table usa-table--stacked usa-table--borderless width-full">
              <caption className="usa-sr-only">{t("staff.quarantine.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("staff.quarantine.received")}</th>
                  <th scope="col">{t("staff.quarantine.message")}</th>
                  <th scope="col">{t("staff.quarantine.sender")}</th>
                  <th scope="col">{t("staff.quarantine.reason")}</th>
                  <th scope="col">{t("staff.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {messages.data.messages.map((message) => (
                  <tr key={message.id}>
                    <td data-label={t("staff.quarantine.received")}>{momentText(message.received_at, i18n.language)}</td>
                    <th scope="row" data-label={t("staff.quarantine.message")}>
                      {label(message)}
                      <br />
                      <span className="text-normal">{t(`staff.quarantine.format.${message.format}`)}</span>
                    </th>
                    <td data-label={t("staff.quarantine.sender")}>{message.sender ?? t("staff.quarantine.unknownSender")}</td>
                    <td data-label={t("staff.quarantine.reason")}>{message.reason}</td>
                    <td data-label={t("staff.actions")}>
                      {message.replayable ? (
                        <button
                          type="button"
                          className="usa-button margin-y-05"
                          disabled={change.isPending}
                          aria-label={t("staff.quarantine.replayNamed", { name: label(message) })}
                          onClick={() => {
                            setSaid(null);
                            setAsking({ message, step: "replay" });
                          }}
                        >
                          {t("staff.quarantine.replay")}
                        </button>
                      ) : (
                        <p className="margin-y-05">{t("staff.quarantine.notReplayable")}</p>
                      )}
                      <button
                        type="button"
                        className="usa-button usa-button--outline margin-y-05"
                        disabled={change.isPending}
                        aria-label={t("staff.quarantine.dismissNamed", { name: label(message) })}
                        onClick={() => {
                          setSaid(null);
                          setAsking({ message, step: "dismiss" });
                        }}
                      >
                        {t("staff.quarantine.dismiss")}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager
            page={page}
            nextCursor={messages.data.next_cursor}
            onPrevious={() => setCursors(cursors.slice(0, -1))}
            onNext={(next) => setCursors([...cursors, next])}
          />
        </>
      )}
    </>
  );
}
