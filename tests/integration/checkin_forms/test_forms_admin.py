"""Admins keep their organization's check-in forms (versions never edited) and visit types (which
forms and which FHIR Questionnaire a visit asks for)."""

from __future__ import annotations

import pytest

from chalicelib import wiring
from tests.integration.checkin_forms.conftest import admin, form_sha, new_form, put_visit_type  # noqa: F401
from tests.integration.identity.conftest import call, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.test_feed_sources_admin import other_organization_admin

QUESTIONNAIRE = {
    "resourceType": "Questionnaire",
    "status": "active",
    "item": [
        {"linkId": "reason", "text": "Why are you coming in?", "type": "text", "required": True},
        {"linkId": "smoker", "text": "Do you smoke?", "type": "boolean"},
        {
            "linkId": "pain",
            "text": "Pain today",
            "type": "choice",
            "answerOption": [{"valueCoding": {"code": "0", "display": "None"}}, {"valueCoding": {"code": "10"}}],
        },
    ],
}


def test_the_demo_organization_is_seeded_with_three_forms_and_a_visit_type_for_any_visit(seeded, admin):
    forms = call(seeded, "GET", "/v1/admin/forms", token=admin).json_body["forms"]
    kinds = {f["title"]: f["kind"] for f in forms}
    assert kinds == {
        "Consent to treat": "consent_to_treat",
        "Notice of privacy practices": "privacy_notice",
        "Financial policy": "financial_policy",
    }
    [any_visit] = call(seeded, "GET", "/v1/admin/visit-types", token=admin).json_body["visit_types"]
    by_title = {f["title"]: f["form_id"] for f in forms}
    assert any_visit["name"] == "*"
    assert any_visit["form_ids"] == [by_title["Consent to treat"], by_title["Notice of privacy practices"]]
    assert [i["linkId"] for i in any_visit["questionnaire"]["item"]] == ["reason", "allergies-changed", "pain"]


def test_a_new_version_becomes_current_and_the_old_ones_stay_as_they_were(seeded, admin):
    made = new_form(seeded, admin, "Telehealth consent", "consent_to_treat", "I agree to be seen by video.")
    assert (made["version"], made["active"]) == (1, True)
    assert made["sha256"] == form_sha("Telehealth consent", "I agree to be seen by video.")

    answer = call(
        seeded,
        "POST",
        f"/v1/admin/forms/{made['form_id']}/versions",
        {"title": "Telehealth consent", "body": "I agree to be seen by video.\n\nThe visit is not recorded."},
        admin,
    )

    assert answer.status_code == 201, answer.json_body
    changed = answer.json_body
    assert changed["version"] == 2
    assert changed["body"] == "I agree to be seen by video.\n\nThe visit is not recorded."
    assert [(v["version"], v["sha256"]) for v in changed["versions"]] == [
        (1, made["sha256"]),
        (2, form_sha("Telehealth consent", changed["body"])),
    ]
    assert changed["versions"][0]["created_by"] == "demo.admin"
    assert call(seeded, "GET", f"/v1/admin/forms/{made['form_id']}", token=admin).json_body == changed
    # The first version's text is kept as it was, on its own item, never overwritten.
    kept = wiring.container().checkin_forms.version("albany-medical-center", made["form_id"], 1)
    assert kept is not None and kept.body == "I agree to be seen by video." and kept.sha256 == made["sha256"]


def test_a_deactivated_form_is_listed_inactive_and_no_longer_asked_for(seeded, admin):
    from chalicelib.checkin.forms import current_forms

    made = new_form(seeded, admin)
    answer = call(seeded, "PUT", f"/v1/admin/forms/{made['form_id']}/active", {"active": False}, admin)
    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["active"] is False
    listed = {f["form_id"]: f["active"] for f in call(seeded, "GET", "/v1/admin/forms", token=admin).json_body["forms"]}
    assert listed[made["form_id"]] is False
    assert current_forms(wiring.container(), "albany-medical-center", [made["form_id"]]) == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": "", "kind": "other", "body": "Text"}, "title"),
        ({"title": "Two\nlines", "kind": "other", "body": "Text"}, "title"),
        ({"title": "A form", "kind": "waiver", "body": "Text"}, "kind"),
        ({"title": "A form", "kind": "other", "body": "x" * 20_001}, "body"),
        ({"title": "A form", "kind": "other", "body": "   "}, "body"),
        ({"title": "A form", "kind": "other", "body": "Text", "active": False}, "active"),
        # what the signed PDF cannot print is refused here, not at each patient's signature
        ({"title": "Consent 🙂", "kind": "other", "body": "Text"}, "title"),
        ({"title": "A form", "kind": "other", "body": "שלום"}, "body"),
    ],
)
def test_a_bad_form_is_refused_naming_the_field(seeded, admin, body, field):
    answer = call(seeded, "POST", "/v1/admin/forms", body, admin)
    assert answer.status_code == 400, answer.json_body
    assert field in [d["field"] for d in answer.json_body["error"]["details"]]


def test_a_new_version_the_signed_form_cannot_print_is_refused_in_plain_words(seeded, admin):
    made = new_form(seeded, admin)

    answer = call(
        seeded, "POST", f"/v1/admin/forms/{made['form_id']}/versions", {"title": "Photos", "body": "照片"}, admin
    )

    assert answer.status_code == 400, answer.json_body
    [detail] = answer.json_body["error"]["details"]
    assert detail["field"] == "body" and "cannot print" in detail["issue"]
    assert call(seeded, "GET", f"/v1/admin/forms/{made['form_id']}", token=admin).json_body["version"] == 1


def test_another_organizations_form_is_not_found_and_staff_may_not_manage_forms(
    seeded, admin, staff_token, monkeypatch
):
    made = new_form(seeded, admin)
    other = other_organization_admin(seeded, monkeypatch)
    path = f"/v1/admin/forms/{made['form_id']}"
    assert call(seeded, "GET", path, token=other).status_code == 404
    new_version = {"title": "Taken over", "body": "Changed"}
    assert call(seeded, "POST", f"{path}/versions", new_version, other).status_code == 404
    assert call(seeded, "PUT", f"{path}/active", {"active": False}, other).status_code == 404
    assert call(seeded, "GET", "/v1/admin/forms", token=other).json_body == {"forms": []}
    assert call(seeded, "GET", "/v1/admin/forms", token=staff_token).status_code == 403
    assert call(seeded, "GET", path, token=admin).json_body["version"] == 1


def test_a_visit_type_keeps_its_forms_and_questionnaire_and_is_matched_by_the_visits_type(seeded, admin):
    from chalicelib.checkin.forms import visit_type_for

    made = new_form(seeded, admin)
    answer = put_visit_type(seeded, admin, "annual-physical", "Annual Physical", [made["form_id"]], QUESTIONNAIRE)

    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["questionnaire"]["item"][2]["answerOption"][1] == {"valueCoding": {"code": "10"}}
    listed = call(seeded, "GET", "/v1/admin/visit-types", token=admin).json_body["visit_types"]
    assert [v["visit_type_id"] for v in listed] == ["annual-physical", "any-visit"]  # "*" last
    ports = wiring.container()
    assert visit_type_for(ports, "albany-medical-center", "  annual physical ").visit_type_id == "annual-physical"
    assert visit_type_for(ports, "albany-medical-center", "Flu shot").visit_type_id == "any-visit"
    assert visit_type_for(ports, "saratoga-hospital", "Annual physical") is None


@pytest.mark.parametrize(
    "item, problem",
    [
        ({"linkId": "x", "text": "Upload a photo", "type": "attachment"}, "type"),
        ({"linkId": "x", "text": "Pick one", "type": "choice"}, "answerOption"),
        ({"linkId": "x", "type": "string"}, "text"),
        ({"linkId": "x", "text": "A group", "type": "string", "item": [{"linkId": "y", "type": "string"}]}, "nested"),
        ({"linkId": "reason", "text": "Again", "type": "string"}, "duplicate linkId"),
        ({"linkId": "x", "text": "你好吗", "type": "string"}, "text"),
        (
            {"linkId": "x", "text": "Mood", "type": "choice", "answerOption": [{"valueCoding": {"code": "🙂"}}]},
            "answerOption",
        ),
    ],
)
def test_a_questionnaire_item_check_in_cannot_ask_is_refused_naming_it(seeded, admin, item, problem):
    questionnaire = {**QUESTIONNAIRE, "item": [*QUESTIONNAIRE["item"], item]}
    answer = put_visit_type(seeded, admin, "annual-physical", "Annual physical", [], questionnaire)
    assert answer.status_code == 400, answer.json_body
    assert {"field": "questionnaire.item.3", "issue": problem} in answer.json_body["error"]["details"]


def test_a_questionnaire_that_is_not_valid_fhir_and_unknown_forms_are_refused(seeded, admin):
    not_fhir = {"resourceType": "Questionnaire", "item": []}  # status is required
    answer = put_visit_type(seeded, admin, "flu", "Flu shot", ["0" * 32], not_fhir)
    assert answer.status_code == 400, answer.json_body
    fields = [d["field"] for d in answer.json_body["error"]["details"]]
    assert "form_ids.0" in fields and "questionnaire.status" in fields
    assert put_visit_type(seeded, admin, "Flu_Shot", "Flu shot", []).status_code == 400  # not a slug
    assert put_visit_type(seeded, admin, "flu-2", "*", []).json_body["error"]["details"][0]["field"] == "name"


def test_two_admins_adding_a_version_at_once_one_is_told_and_nothing_is_overwritten(seeded, admin):
    import dataclasses

    from chalicelib.checkin.forms import FormVersion
    from chalicelib.errors import Conflict

    made = new_form(seeded, admin)
    store = wiring.container().checkin_forms
    read = store.form("albany-medical-center", made["form_id"])  # both admins read version 1

    def with_version(body: str):
        version = FormVersion(2, form_sha("T", body), read.updated_at, "demo.admin", "T", body)
        return dataclasses.replace(read, versions=(*read.versions, version))

    store.add_version(with_version("First admin's text"))
    with pytest.raises(Conflict):
        store.add_version(with_version("Second admin's text"))

    assert store.version("albany-medical-center", made["form_id"], 2).body == "First admin's text"
    assert store.form("albany-medical-center", made["form_id"]).body == "First admin's text"
