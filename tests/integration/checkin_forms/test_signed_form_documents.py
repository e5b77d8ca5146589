"""The forms a patient signed are among her documents beside the chart's, though they are kept in a
partition of their own (the API never writes her chart): one list, one order, pages that neither
skip nor repeat a document, whichever side the next one comes from."""

from __future__ import annotations

import urllib.parse

from chalicelib import wiring
from chalicelib.data.models import RecordModel
from tests.integration.checkin_forms.test_signing import asked_forms, sign_path, signing, visit  # noqa: F401
from tests.integration.identity.conftest import call, enrolled, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.test_patient_documents import mdm
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)


def every_page(api, patient_id: str, token: str, query: str = "") -> list[dict]:
    shown, cursor = [], ""
    while True:
        path = f"/v1/patients/{patient_id}/documents?limit=1{query}"
        if cursor:
            path += "&cursor=" + urllib.parse.quote(cursor)
        answer = call(api, "GET", path, token=token)
        assert answer.status_code == 200, answer.json_body
        shown += answer.json_body["documents"]
        cursor = answer.json_body["next_cursor"]
        if not cursor:
            return shown


def test_signed_forms_and_the_charts_documents_page_together_each_once_in_the_lists_order(visit, feed, seeded):
    patient_id, token, appointment_id = visit
    feed(
        mdm("d-1", "DOC-1", "PN^Progress note", "OBX|1|TX|PN^Progress note||Doing well.||||||F"),
        mdm("d-2", "DOC-2", "PN^Progress note", "OBX|1|TX|PN^Progress note||Walks daily.||||||F"),
    )
    signed = [
        call(seeded, "POST", sign_path(patient_id, appointment_id, form.form_id), signing(form), token).json_body
        for form in asked_forms()
    ]
    assert all("document_id" in s for s in signed), signed

    whole = call(seeded, "GET", f"/v1/patients/{patient_id}/documents", token=token).json_body
    paged = every_page(seeded, patient_id, token)

    assert whole["next_cursor"] is None
    assert [d["type"] for d in whole["documents"]] == ["signed-form", "signed-form", "note", "note"]
    assert [d["document_id"] for d in paged] == [d["document_id"] for d in whole["documents"]]
    forms_only = every_page(seeded, patient_id, token, "&type=signed-form")
    assert sorted(d["document_id"] for d in forms_only) == sorted(s["document_id"] for s in signed)
    assert every_page(seeded, patient_id, token, "&type=discharge-summary") == []
    # Nothing of the signing is in her chart's own partition: only the feed writes there.
    chart_keys = [item.record_key for item in RecordModel.query(patient_id)]
    assert not [key for key in chart_keys if any(s["document_id"] in key for s in signed)]
    # Each still opens as a document, with its file.
    for form in signed:
        path = f"/v1/patients/{patient_id}/documents/{form['document_id']}"
        assert call(seeded, "GET", path, token=token).json_body["title"] == form["title"]
        assert call(seeded, "GET", path + "/content", token=token).status_code == 302
    assert wiring.container().signed_forms.as_document(patient_id, "0" * 32) is None
