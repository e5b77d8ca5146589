import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, isErrorBody, load, noErrors } from "../api/errors";
import { Confirm } from "../components/Confirm";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextArea, TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";

type Team = Schemas["CareTeam"];
type TeamChange = Schemas["CareTeamChange"];
type Kind = Team["kind"];

const KINDS: readonly Kind[] = ["department", "clinic", "provider_pool"];
const FIELDS = ["name", "kind", "description", "accepts_messages", "phone", "active"] as const;

/** What a PUT of this team says, with some fields changed: every PUT names every field. */
function asChange(team: Team, changes: Partial<TeamChange> = {}): TeamChange {
  return {
    name: team.name,
    kind: team.kind,
    description: team.description,
    accepts_messages: team.accepts_messages,
    phone: team.phone,
    active: team.active,
    ...changes,
  };
}

/** The admins' page of the organization's care teams: the teams patients may write to. */
export function CareTeams() {
  const { t } = useTranslation();
  usePageTitle(t("admin.careTeams.title"));
  return <AdminPage>{(token) => <TeamsPage token={token} />}</AdminPage>;
}

function TeamsPage({ token }: { token: string }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<Team | null>(null);
  const [deactivating, setDeactivating] = useState<Team | null>(null);
  const [done, setDone] = useState("");
  const queryClient = useQueryClient();
  const teams = useQuery({
    queryKey: ["admin-care-teams", token],
    queryFn: () => load(() => api.GET("/v1/admin/care-teams")),
  });
  // Bringing a team back needs no confirmation: it only makes it visible to patients again.
  const reactivate = useMutation({
    mutationFn: async (team: Team) => {
      const { data, error } = await api.PUT("/v1/admin/care-teams/{team_id}", {
        params: { path: { team_id: team.team_id } },
        body: asChange(team, { active: true }),
      });
      if (data === undefined) throw error;
      return data;
    },
    onSuccess: async (team) => {
      await queryClient.invalidateQueries({ queryKey: ["admin-care-teams", token] });
      setDone(t("admin.careTeams.reactivated", { name: team.name }));
    },
    onError: (error) => setDone(formErrors(error, [], t("errors.network")).general.join(" ")),
  });

  return (
    <>
      <h1>{t("admin.careTeams.title")}</h1>
      <p className="usa-intro">{t("admin.careTeams.intro")}</p>
      <Notice text={done} ok={!reactivate.isError} />
      <h2>{t("admin.careTeams.listTitle")}</h2>
      {teams.isPending && <p>{t("app.loading")}</p>}
      {teams.isError && <Problem message={teams.error.message} />}
      {teams.data &&
        (teams.data.care_teams.length === 0 ? (
          <p>{t("admin.careTeams.none")}</p>
        ) : (
          <div className="usa-table-container--scrollable" tabIndex={0}>
            <table className="usa-table usa-table--borderless usa-table--stacked width-full">
              <caption className="usa-sr-only">{t("admin.careTeams.listTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.careTeams.name")}</th>
                  <th scope="col">{t("admin.careTeams.kind")}</th>
                  <th scope="col">{t("admin.careTeams.messages")}</th>
                  <th scope="col">{t("admin.careTeams.phone")}</th>
                  <th scope="col">{t("admin.careTeams.members")}</th>
                  <th scope="col">{t("admin.careTeams.status")}</th>
                  <th scope="col">{t("admin.staff.action")}</th>
                </tr>
              </thead>
              <tbody>
                {teams.data.care_teams.map((team) => (
                  <tr key={team.team_id}>
                    <th scope="row" data-label={t("admin.careTeams.name")} style={{ overflowWrap: "anywhere" }}>
                      {team.name}
                      {team.description && <span className="display-block text-normal">{team.description}</span>}
                    </th>
                    <td data-label={t("admin.careTeams.kind")}>{t(`admin.careTeams.kinds.${team.kind}`)}</td>
                    <td data-label={t("admin.careTeams.messages")}>
                      {team.accepts_messages ? t("admin.careTeams.accepts") : t("admin.careTeams.refuses")}
                    </td>
                    <td data-label={t("admin.careTeams.phone")}>{team.phone ?? t("admin.careTeams.noPhone")}</td>
                    <td data-label={t("admin.careTeams.members")}>
                      {t("admin.careTeams.memberCount", { count: team.member_ids.length })}
                    </td>
                    <td data-label={t("admin.careTeams.status")}>
                      {team.active ? t("admin.careTeams.active") : t("admin.careTeams.inactive")}
                    </td>
                    <td data-label={t("admin.staff.action")}>
                      <ul className="usa-button-group">
                        <li className="usa-button-group__item">
                          <button
                            type="button"
                            className="usa-button usa-button--outline usa-button--small"
                            onClick={() => {
                              setDone("");
                              setDeactivating(null);
                              setEditing(team);
                            }}
                          >
                            {t("admin.careTeams.change", { name: team.name })}
                          </button>
                        </li>
                        <li className="usa-button-group__item">
                          {team.active ? (
                            <button
                              type="button"
                              className="usa-button usa-button--secondary usa-button--small"
                              data-confirm-for={team.team_id}
                              onClick={() => {
                                setDone("");
                                setDeactivating(team);
                              }}
                            >
                              {t("admin.careTeams.deactivate", { name: team.name })}
                            </button>
                          ) : (
                            <button
                              type="button"
                              className="usa-button usa-button--outline usa-button--small"
                              disabled={reactivate.isPending}
                              onClick={() => {
                                setDone("");
                                reactivate.mutate(team);
                              }}
                            >
                              {t("admin.careTeams.reactivate", { name: team.name })}
                            </button>
                          )}
                        </li>
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {deactivating && (
        <ConfirmDeactivate
          token={token}
          team={deactivating}
          onClose={(message) => {
            setDeactivating(null);
            setDone(message);
          }}
        />
      )}
      <TeamForm
        key={editing?.team_id ?? "new"}
        token={token}
        editing={editing}
        onSaved={(message) => {
          setEditing(null);
          setDone(message);
        }}
        onCancel={() => setEditing(null)}
      />
      {editing && (
        <MembersForm
          key={`members-${editing.team_id}`}
          token={token}
          team={editing}
          onSaved={(message) => {
            setEditing(null);
            setDone(message);
          }}
        />
      )}
    </>
  );
}

const STAFF_PAGE = 100; // the most the staff list gives at once: an organization's whole staff, in practice

/** Who answers for a team: the organization's active staff and admin accounts, ticked or not. */
function MembersForm({ token, team, onSaved }: { token: string; team: Team; onSaved: (message: string) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const staff = useQuery({
    queryKey: ["admin-staff-for-teams", token],
    queryFn: () => load(() => api.GET("/v1/admin/staff", { params: { query: { limit: STAFF_PAGE } } })),
  });
  const save = useMutation({
    mutationFn: async (accountIds: string[]) => {
      const { data, error } = await api.PUT("/v1/admin/care-teams/{team_id}/members", {
        params: { path: { team_id: team.team_id } },
        body: { account_ids: accountIds },
      });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => setErrors(noErrors),
    // The API names a refused member by its place in the list ("account_ids.1"): the form names the person.
    onError: (error, accountIds) => {
      const named = isErrorBody(error)
        ? error.error.details.flatMap((d) => {
            const place = /^account_ids\.(\d+)$/.exec(d.field ?? "");
            const account = place ? accounts.find((a) => a.account_id === accountIds[Number(place[1])]) : undefined;
            return account ? [t("admin.careTeams.memberRefused", { name: label(account) })] : [];
          })
        : [];
      const errors = formErrors(error, [], t("errors.network"));
      setErrors(named.length ? { fields: {}, general: [...errors.general.slice(0, 1), ...named] } : errors);
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ["admin-care-teams", token] });
      onSaved(t("admin.careTeams.membersSaved", { name: saved.name, count: saved.member_ids.length }));
    },
  });
  const label = (account: Schemas["StaffAccountSummary"]) =>
    account.username ?? account.email ?? t("admin.careTeams.unnamedStaff");
  // Members no longer active stay ticked until the admin unticks them: the list shows them too.
  const accounts = (staff.data?.staff ?? []).filter((a) => a.status === "active" || team.member_ids.includes(a.account_id));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(new FormData(event.currentTarget).getAll("member").map(String));
  }

  return (
    <section aria-labelledby="members-form" className="margin-top-5">
      <h2 id="members-form">{t("admin.careTeams.membersTitle", { name: team.name })}</h2>
      <p>{t("admin.careTeams.membersIntro")}</p>
      {staff.isPending && <p>{t("app.loading")}</p>}
      {staff.isError && <Problem message={staff.error.message} />}
      {staff.data && (
        <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
          <ErrorSummary messages={errors.general} />
          <fieldset className="usa-fieldset">
            <legend className="usa-legend">{t("admin.careTeams.membersLegend", { name: team.name })}</legend>
            {accounts.length === 0 && <p>{t("admin.careTeams.noStaff")}</p>}
            {accounts.map((account) => (
              <div className="usa-checkbox" key={account.account_id}>
                <input
                  className="usa-checkbox__input"
                  id={`member-${account.account_id}`}
                  type="checkbox"
                  name="member"
                  value={account.account_id}
                  defaultChecked={team.member_ids.includes(account.account_id)}
                />
                <label className="usa-checkbox__label" htmlFor={`member-${account.account_id}`}>
                  {label(account)}
                </label>
              </div>
            ))}
            {staff.data.next_cursor && <p className="usa-hint">{t("admin.careTeams.moreStaff", { count: STAFF_PAGE })}</p>}
          </fieldset>
          <button className="usa-button margin-top-2" type="submit" disabled={save.isPending}>
            {save.isPending ? t("admin.saving") : t("admin.careTeams.saveMembers")}
          </button>
        </form>
      )}
    </section>
  );
}

function ConfirmDeactivate({ token, team, onClose }: { token: string; team: Team; onClose: (message: string) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const deactivate = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.PUT("/v1/admin/care-teams/{team_id}", {
        params: { path: { team_id: team.team_id } },
        body: asChange(team, { active: false }),
      });
      if (data === undefined) throw error;
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["admin-care-teams", token] });
      onClose(t("admin.careTeams.deactivated", { name: team.name }));
    },
  });
  const problem = deactivate.isError ? formErrors(deactivate.error, [], t("errors.network")).general : [];
  return (
    <Confirm
      question={t("admin.careTeams.confirmTitle", { name: team.name })}
      confirmLabel={t("admin.careTeams.confirmDeactivate", { name: team.name })}
      onConfirm={() => deactivate.mutate()}
      onCancel={() => onClose("")}
      busy={deactivate.isPending}
      opener={document.querySelector<HTMLElement>(`[data-confirm-for="${team.team_id}"]`)}
    >
      <ul className="usa-list">
        <li>{t("admin.careTeams.confirmHidden")}</li>
        <li>{t("admin.careTeams.confirmKept")}</li>
      </ul>
      <ErrorSummary messages={problem} />
    </Confirm>
  );
}

function TeamForm({
  token,
  editing,
  onSaved,
  onCancel,
}: {
  token: string;
  editing: Team | null;
  onSaved: (message: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const heading = useRef<HTMLHeadingElement>(null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  useEffect(() => {
    if (editing) heading.current?.focus();
  }, [editing]);
  const save = useMutation({
    mutationFn: async (change: TeamChange) => {
      const { data, error } = editing
        ? await api.PUT("/v1/admin/care-teams/{team_id}", {
            params: { path: { team_id: editing.team_id } },
            body: change,
          })
        : await api.POST("/v1/admin/care-teams", { body: change });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => setErrors(noErrors),
    onError: (error) => setErrors(formErrors(error, FIELDS, t("errors.network"))),
    onSuccess: async (team) => {
      await queryClient.invalidateQueries({ queryKey: ["admin-care-teams", token] });
      onSaved(t(editing ? "admin.careTeams.saved" : "admin.careTeams.added", { name: team.name }));
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    if (!name) {
      setErrors({ fields: { name: t("errors.required") }, general: [] });
      return;
    }
    const phone = String(form.get("phone") ?? "").trim();
    save.mutate({
      name,
      kind: String(form.get("kind")) as Kind,
      description: String(form.get("description") ?? "").trim(),
      accepts_messages: form.get("accepts_messages") === "on",
      phone: phone || null,
      active: editing?.active ?? true,
    });
  }

  return (
    <section aria-labelledby="team-form" className="margin-top-5">
      <h2 id="team-form" tabIndex={-1} ref={heading}>
        {editing ? t("admin.careTeams.changeTitle", { name: editing.name }) : t("admin.careTeams.addTitle")}
      </h2>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        <TextField
          name="name"
          label={t("admin.careTeams.name")}
          hint={t("admin.careTeams.nameHint")}
          error={errors.fields.name}
          defaultValue={editing?.name ?? ""}
          maxLength={100}
          autoComplete="off"
          required
        />
        <div className={`usa-form-group${errors.fields.kind ? " usa-form-group--error" : ""}`}>
          <label className="usa-label" htmlFor="kind">
            {t("admin.careTeams.kind")}
          </label>
          {errors.fields.kind && (
            <span className="usa-error-message" id="kind-error">
              {errors.fields.kind}
            </span>
          )}
          <select
            className="usa-select"
            id="kind"
            name="kind"
            defaultValue={editing?.kind ?? "department"}
            aria-describedby={errors.fields.kind ? "kind-error" : undefined}
          >
            {KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`admin.careTeams.kinds.${kind}`)}
              </option>
            ))}
          </select>
        </div>
        <TextArea
          name="description"
          label={t("admin.careTeams.description")}
          hint={t("admin.careTeams.descriptionHint")}
          error={errors.fields.description}
          defaultValue={editing?.description ?? ""}
          maxLength={500}
          rows={3}
        />
        <TextField
          name="phone"
          type="tel"
          label={t("admin.careTeams.phone")}
          hint={t("admin.careTeams.phoneHint")}
          error={errors.fields.phone}
          defaultValue={editing?.phone ?? ""}
          autoComplete="off"
        />
        <div className="usa-form-group">
          <div className="usa-checkbox">
            <input
              className="usa-checkbox__input"
              id="accepts_messages"
              type="checkbox"
              name="accepts_messages"
              defaultChecked={editing?.accepts_messages ?? true}
              aria-describedby="accepts_messages-hint"
            />
            <label className="usa-checkbox__label" htmlFor="accepts_messages">
              {t("admin.careTeams.acceptsLabel")}
            </label>
          </div>
          <span className="usa-hint" id="accepts_messages-hint">
            {t("admin.careTeams.acceptsHint")}
          </span>
          {errors.fields.accepts_messages && (
            <span className="usa-error-message">{errors.fields.accepts_messages}</span>
          )}
        </div>
        <ul className="usa-button-group">
          <li className="usa-button-group__item">
            <button className="usa-button" type="submit" disabled={save.isPending}>
              {save.isPending ? t("admin.saving") : editing ? t("admin.careTeams.saveChange") : t("admin.careTeams.add")}
            </button>
          </li>
          {editing && (
            <li className="usa-button-group__item">
              <button type="button" className="usa-button usa-button--outline" onClick={onCancel}>
                {t("admin.cancel")}
              </button>
            </li>
          )}
        </ul>
      </form>
    </section>
  );
}
