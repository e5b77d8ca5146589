"""The first admin of a deployment, made with `python -m infra.admin`."""

from __future__ import annotations

from chalicelib import wiring
from infra import admin


def test_the_cli_creates_the_organization_and_an_admin_who_can_sign_in(aws, api, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "a long first admin passphrase")

    code = admin.main(
        [
            "--organization-id",
            "st-peters",
            "--organization-name",
            "St Peter's",
            "--mrn-authority",
            "SPH-MRN",
            "--username",
            "Jane.Admin",
            "--email",
            "jane@sph.example",
        ]
    )

    assert code == 0
    directory = wiring.container().directory
    assert directory.organization("st-peters").mrn_authority == "SPH-MRN"
    account = directory.account_by_username("jane.admin")
    assert account.role.value == "admin" and account.organization_id == "st-peters"
    signed_in = api.http.post(
        "/v1/sessions",
        headers={"Content-Type": "application/json"},
        body=b'{"username": "jane.admin", "password": "a long first admin passphrase"}',
    )
    # Not a seeded demo account: an admin must set up a second factor before anything else.
    assert signed_in.status_code == 201 and signed_in.json_body["must"] == "second_factor_setup"
    events, _ = wiring.container().audit_log.by_actor("operator:infra.admin", 10)
    assert [e.event_type for e in events] == ["staff_account.created"]
    assert "a long first admin passphrase" not in capsys.readouterr().out


def test_the_cli_refuses_a_common_password(aws, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "password123")

    code = admin.main(
        [
            "--organization-id",
            "st-peters",
            "--organization-name",
            "St Peter's",
            "--username",
            "jane.admin",
            "--email",
            "jane@sph.example",
        ]
    )

    assert code == 1
    assert "refused" in capsys.readouterr().err
    assert wiring.container().directory.account_by_username("jane.admin") is None
