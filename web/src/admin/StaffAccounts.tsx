import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
import { Confirm } from "../components/Confirm";
import { momentText } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Problem } from "../components/Problem";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";
import { Notice } from "../components/Notice";

type Account = Schemas["StaffAccountSummary"];
/** What the admin is asked to confirm: a change of status, or a new set-up link (the earlier one stops working). */
type Asking = { account: Account; kind: "status" | "setupLink" };
const PAGE_SIZE = 50;
const CREATE_FIELDS = ["email", "role"] as const;

/** The admins' page of their organization's staff and admin accounts: find, add, suspend, make active,
 * unlock after failed sign-ins, send a new set-up link. */
export function StaffAccounts() {
  const { t } = useTranslation();
  usePageTitle(t("admin.staff.title"));
  return (
    <AdminPage>
      {(token, me) => (
        <>
          <h1>{t("admin.staff.title")}</h1>
          <p className="usa-intro">{t("admin.staff.intro")}</p>
          <StaffList token={token} ownId={me.account.account_id} />
          <AddColleague token={token} />
        </>
      )}
    </AdminPage>
  );
}

function StaffList({ token, ownId }: { token: string; ownId: string }) {
  const { t, i18n } = useTranslation();
  const [filter, setFilter] = useState("");
  const [confirming, setConfirming] = useState<Asking | null>(null);
  const [done, setDone] = useState<{ text: string; ok: boolean }>({ text: "", ok: true });
  const queryClient = useQueryClient();
  // Unlocking signs nobody out and revokes nothing, so it is done at once; its result is said.
  const unlock = useMutation({
    mutationFn: async (account: Account) => {
      const { data, error } = await api.POST("/v1/admin/staff/{account_id}/unlock", {
        params: { path: { account_id: account.account_id } },
      });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => setDone({ text: "", ok: true }),
    onSuccess: async (_data, account) => {
      await queryClient.invalidateQueries({ queryKey: ["admin-staff", token] });
      setDone({ text: t("admin.staff.unlocked", { name: nameOf(account, t) }), ok: true });
    },
    onError: (error) =>
      setDone({ text: formErrors(error, [], t("errors.network")).general.join(" "), ok: false }),
  });
  const staff = useInfiniteQuery({
    queryKey: ["admin-staff", token],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      load(() =>
        api.GET("/v1/admin/staff", { params: { query: { limit: PAGE_SIZE, ...(pageParam && { cursor: pageParam }) } } }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const accounts = staff.data?.pages.flatMap((page) => page.staff) ?? [];
  // Found in what is loaded (a name or an address typed here never leaves the page).
  const wanted = filter.trim().toLowerCase();
  const shown = wanted
    ? accounts.filter((a) => (a.username ?? "").includes(wanted) || (a.email ?? "").toLowerCase().includes(wanted))
    : accounts;

  return (
    <section aria-labelledby="staff-list">
      <h2 id="staff-list">{t("admin.staff.listTitle")}</h2>
      <Notice text={done.text} ok={done.ok} />
      <div className="usa-form-group">
        <label className="usa-label" htmlFor="staff-filter">
          {t("admin.staff.find")}
        </label>
        <div className="usa-hint" id="staff-filter-hint">
          {t("admin.staff.findHint")}
        </div>
        <input
          className="usa-input"
          id="staff-filter"
          type="search"
          value={filter}
          autoComplete="off"
          aria-describedby="staff-filter-hint"
          onChange={(event) => setFilter(event.target.value)}
        />
      </div>
      {staff.isPending && <p>{t("app.loading")}</p>}
      {staff.isError && <Problem message={staff.error.message} />}
      {staff.data && (
        <>
          <p aria-live="polite">
            {wanted
              ? t("admin.staff.matching", { count: shown.length, loaded: accounts.length })
              : t("admin.staff.count", { count: accounts.length })}
          </p>
          {shown.length > 0 && (
            <div className="usa-table-container--scrollable" tabIndex={0}>
              <table className="usa-table usa-table--borderless usa-table--stacked width-full">
                <caption className="usa-sr-only">{t("admin.staff.listTitle")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("admin.staff.username")}</th>
                    <th scope="col">{t("admin.staff.role")}</th>
                    <th scope="col">{t("admin.staff.status")}</th>
                    <th scope="col">{t("admin.staff.email")}</th>
                    <th scope="col">{t("admin.staff.created")}</th>
                    <th scope="col">{t("admin.staff.secondFactor")}</th>
                    <th scope="col">{t("admin.staff.action")}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((account) => (
                    <tr key={account.account_id}>
                      <th scope="row" data-label={t("admin.staff.username")}>
                        {account.username ?? <em>{t("admin.staff.notSetUp")}</em>}
                        {account.account_id === ownId && <> {t("admin.staff.you")}</>}
                      </th>
                      <td data-label={t("admin.staff.role")}>{t(`admin.staff.roles.${account.role}`)}</td>
                      <td data-label={t("admin.staff.status")}>
                        {t(`admin.staff.statuses.${account.status}`)}
                        {account.locked && <> ({t("admin.staff.locked")})</>}
                      </td>
                      <td data-label={t("admin.staff.email")} style={{ overflowWrap: "anywhere" }}>
                        {account.email ?? t("admin.staff.noEmail")}
                      </td>
                      <td data-label={t("admin.staff.created")}>{momentText(account.created_at, i18n.language)}</td>
                      <td data-label={t("admin.staff.secondFactor")}>
                        {account.second_factors.length === 0
                          ? t("admin.staff.noSecondFactor")
                          : account.second_factors.map((m) => t(`admin.staff.methods.${m}`)).join(", ")}
                      </td>
                      <td data-label={t("admin.staff.action")}>
                        <div className="display-flex flex-wrap" style={{ gap: "0.5rem" }}>
                          {account.account_id !== ownId && account.status !== "terminated" && (
                            <button
                              type="button"
                              className="usa-button usa-button--outline usa-button--small margin-0"
                              data-confirm-for={`status-${account.account_id}`}
                              onClick={() => {
                                setDone({ text: "", ok: true });
                                setConfirming({ account, kind: "status" });
                              }}
                            >
                              {account.status === "active"
                                ? t("admin.staff.suspend", { name: nameOf(account, t) })
                                : t("admin.staff.activate", { name: nameOf(account, t) })}
                            </button>
                          )}
                          {account.locked && (
                            <button
                              type="button"
                              className="usa-button usa-button--outline usa-button--small margin-0"
                              disabled={unlock.isPending}
                              onClick={() => unlock.mutate(account)}
                            >
                              {t("admin.staff.unlock", { name: nameOf(account, t) })}
                            </button>
                          )}
                          {account.username === null && account.status === "active" && (
                            <button
                              type="button"
                              className="usa-button usa-button--outline usa-button--small margin-0"
                              data-confirm-for={`setupLink-${account.account_id}`}
                              onClick={() => {
                                setDone({ text: "", ok: true });
                                setConfirming({ account, kind: "setupLink" });
                              }}
                            >
                              {t("admin.staff.resend", { name: nameOf(account, t) })}
                            </button>
                          )}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {accounts.length === 0 && <p>{t("admin.staff.none")}</p>}
          {wanted && shown.length === 0 && accounts.length > 0 && <p>{t("admin.staff.noMatch")}</p>}
          {staff.hasNextPage && (
            <button
              type="button"
              className="usa-button usa-button--outline"
              disabled={staff.isFetchingNextPage}
              onClick={() => void staff.fetchNextPage()}
            >
              {staff.isFetchingNextPage ? t("app.loading") : t("admin.staff.more")}
            </button>
          )}
        </>
      )}
      {confirming && (
        <ConfirmChange
          token={token}
          asking={confirming}
          onClose={(message) => {
            // Cancelled: the confirmation gives the focus back to the button that asked; done:
            // the notice of what happened takes it.
            setConfirming(null);
            setDone({ text: message, ok: true });
          }}
        />
      )}
    </section>
  );
}

function nameOf(account: Account, t: TFunction): string {
  return account.username ?? account.email ?? t("admin.staff.notSetUp");
}

/** Suspending ends a colleague's sessions at once, and a new set-up link voids the one they were
 * sent: the admin says so twice. */
function ConfirmChange({
  token,
  asking,
  onClose,
}: {
  token: string;
  asking: Asking;
  onClose: (message: string) => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { account, kind } = asking;
  const suspend = account.status === "active";
  const name = nameOf(account, t);
  const change = useMutation({
    mutationFn: async () => {
      const path = { params: { path: { account_id: account.account_id } } };
      const { data, error } =
        kind === "setupLink"
          ? await api.POST("/v1/admin/staff/{account_id}/setup-link", path)
          : await api.PUT("/v1/admin/staff/{account_id}/status", {
              ...path,
              body: { status: suspend ? "suspended" : "active" },
            });
      if (data === undefined) throw error;
      return data;
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["admin-staff", token] });
      onClose(
        kind === "setupLink"
          ? t("admin.staff.resent", { name })
          : suspend
            ? t("admin.staff.suspended", { name })
            : t("admin.staff.activated", { name }),
      );
    },
  });
  const problem = change.isError ? formErrors(change.error, [], t("errors.network")).general : [];
  const words =
    kind === "setupLink"
      ? {
          question: t("admin.staff.confirmResendTitle", { name }),
          label: t("admin.staff.confirmResend", { name }),
          text: t("admin.staff.confirmResendText"),
        }
      : suspend
        ? {
            question: t("admin.staff.confirmSuspendTitle", { name }),
            label: t("admin.staff.confirmSuspend", { name }),
            text: t("admin.staff.confirmSuspendText"),
          }
        : {
            question: t("admin.staff.confirmActivateTitle", { name }),
            label: t("admin.staff.confirmActivate", { name }),
            text: t("admin.staff.confirmActivateText"),
          };
  return (
    <Confirm
      question={words.question}
      confirmLabel={words.label}
      onConfirm={() => change.mutate()}
      onCancel={() => onClose("")}
      busy={change.isPending}
      opener={document.querySelector<HTMLElement>(`[data-confirm-for="${kind}-${account.account_id}"]`)}
    >
      <p className="usa-alert__text">{words.text}</p>
      <ErrorSummary messages={problem} />
    </Confirm>
  );
}

function AddColleague({ token }: { token: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [sentTo, setSentTo] = useState("");
  const create = useMutation({
    mutationFn: async (body: Schemas["StaffAccountRequest"]) => {
      const { data, error } = await api.POST("/v1/admin/staff", { body });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => {
      setErrors(noErrors);
      setSentTo("");
    },
    onError: (error) => setErrors(formErrors(error, CREATE_FIELDS, t("errors.network"))),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const email = String(form.get("email") ?? "").trim();
    if (!email) {
      setErrors({ fields: { email: t("errors.required") }, general: [] });
      return;
    }
    create.mutate(
      { email, role: form.get("role") === "admin" ? "admin" : "staff" },
      {
        onSuccess: async () => {
          setSentTo(email);
          element.reset();
          await queryClient.invalidateQueries({ queryKey: ["admin-staff", token] });
        },
      },
    );
  }

  return (
    <section aria-labelledby="add-colleague" className="margin-top-5">
      <h2 id="add-colleague">{t("admin.staff.addTitle")}</h2>
      <p>{t("admin.staff.addIntro")}</p>
      <Notice text={sentTo ? t("admin.staff.sent", { email: sentTo }) : null} />
      <ErrorSummary messages={errors.general} />
      <form className="usa-form" onSubmit={onSubmit} noValidate>
        <TextField
          name="email"
          type="email"
          label={t("admin.staff.workEmail")}
          hint={t("admin.staff.workEmailHint")}
          error={errors.fields.email}
          autoComplete="off"
          required
        />
        <div className={`usa-form-group${errors.fields.role ? " usa-form-group--error" : ""}`}>
          <label className="usa-label" htmlFor="field-role">
            {t("admin.staff.role")}
          </label>
          <div className="usa-hint" id="field-role-hint">
            {t("admin.staff.roleHint")}
          </div>
          {errors.fields.role && (
            <span className="usa-error-message" role="alert">
              {errors.fields.role}
            </span>
          )}
          <select className="usa-select" id="field-role" name="role" defaultValue="staff" aria-describedby="field-role-hint">
            <option value="staff">{t("admin.staff.roles.staff")}</option>
            <option value="admin">{t("admin.staff.roles.admin")}</option>
          </select>
        </div>
        <button className="usa-button" type="submit" disabled={create.isPending}>
          {t("admin.staff.send")}
        </button>
      </form>
    </section>
  );
}
