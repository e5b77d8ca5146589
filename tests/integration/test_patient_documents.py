"""Documents from the feed (MDM): stored in the documents bucket under a key the server makes up,
listed by type for the patient, and handed out through a link that lives five minutes."""

from __future__ import annotations

import base64
import urllib.parse

import boto3

from chalicelib import wiring
from tests.integration.identity.conftest import call, enrolled, seeded, sign_in, staff_token  # noqa: F401
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

PDF = b"%PDF-1.4 a discharge summary"


def mdm(control_id: str, unique: str, txa_type: str, obx: str) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|||20261125090000||MDM^T02|{control_id}|P|2.5.1",
            "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
            f"TXA|1|{txa_type}|TX|20261125080000|||||^Okoro^Grace|||{unique}^EHR|||||AU",
            obx,
        ]
    )


def test_a_patient_lists_her_documents_by_type_and_downloads_one_through_a_short_link(feed, ana, seeded, aws):
    patient_id, token = ana
    feed(
        mdm(
            "d-1",
            "DOC-1",
            "DS^Discharge summary",
            "OBX|1|ED|DS^Discharge summary||^application^pdf^Base64^" + base64.b64encode(PDF).decode() + "||||||F",
        ),
        mdm("d-2", "DOC-2", "PN^Progress note", "OBX|1|TX|PN^Progress note||Doing well.~Walks daily.||||||F"),
    )

    everything = call(seeded, "GET", f"/v1/patients/{patient_id}/documents", token=token).json_body["documents"]
    summaries = call(
        seeded, "GET", f"/v1/patients/{patient_id}/documents?type=discharge-summary", token=token
    ).json_body["documents"]
    results = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]

    assert sorted(d["type"] for d in everything) == ["discharge-summary", "note"]
    [summary] = summaries
    assert (summary["title"], summary["content_type"], summary["size"]) == (
        "Discharge summary",
        "application/pdf",
        len(PDF),
    )
    assert results == []  # documents are not results
    assert "object_key" not in str(everything) and "documents/" not in str(everything)

    link = call(seeded, "GET", f"/v1/patients/{patient_id}/documents/{summary['document_id']}/content", token=token)
    assert link.status_code == 302
    # (an empty body, as the API document says: nothing there for a client to parse as JSON)
    assert link.body == b"" and link.headers["Content-Type"] == "text/plain"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.headers["Location"]).query)
    assert int(query["X-Amz-Expires"][0]) <= 300
    bucket = aws.physical["DocumentsBucket"]
    key = urllib.parse.unquote(urllib.parse.urlsplit(link.headers["Location"]).path).lstrip("/")
    key = key.removeprefix(f"{bucket}/")  # path-style or virtual-hosted-style link
    stored = boto3.client("s3").get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read() == PDF and stored["ServerSideEncryption"] == "aws:kms"


def test_the_text_of_a_note_is_its_document_and_nobody_else_gets_a_link(feed, ana, seeded, staff_token):
    patient_id, token = ana
    feed(mdm("d-2", "DOC-2", "PN^Progress note", "OBX|1|TX|PN^Progress note||Doing well.~Walks daily.||||||F"))
    [note] = call(seeded, "GET", f"/v1/patients/{patient_id}/documents", token=token).json_body["documents"]
    assert note["content_type"].startswith("text/plain")

    assert (
        call(
            seeded, "GET", f"/v1/patients/{patient_id}/documents/{note['document_id']}/content", token=staff_token
        ).status_code
        == 403
    )
    assert (
        call(seeded, "GET", f"/v1/patients/{patient_id}/documents/{'0' * 32}/content", token=token).status_code == 404
    )
    poetry = call(seeded, "GET", f"/v1/patients/{patient_id}/documents?type=poetry", token=token)
    assert poetry.status_code == 400
    assert [d["field"] for d in poetry.json_body["error"]["details"]] == ["type"] and b"poetry" not in poetry.body


def oru_with_pdf(control_id: str, data: bytes, status: str = "F") -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|||20261125090000||ORU^R01|{control_id}|P|2.5.1",
            "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
            f"OBR|1||PATH-9^LAB|22637-3^Pathology report^LN|||20261125070000||||||||||||||20261125080000||SP|{status}",
            f"OBX|1|TX|22637-3^Pathology report^LN||Benign.||||||{status}",
            f"OBX|2|ED|PDF^Report^L||^application^pdf^Base64^{base64.b64encode(data).decode()}||||||{status}",
        ]
    )


def test_a_file_inside_a_result_is_stored_and_follows_its_result(feed, ana, seeded, aws):
    patient_id, token = ana
    feed(oru_with_pdf("r-1", PDF))
    [listed] = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]
    result = call(seeded, "GET", f"/v1/patients/{patient_id}/results/{listed['result_id']}", token=token).json_body

    # the file is not in the answer, only its kind, size and the path that gives a link to it
    [_, embedded] = result["report"]["observations"]
    value = embedded["value"]
    assert (value["type"], value["content_type"], value["size"]) == ("document", "application/pdf", len(PDF))
    link = call(seeded, "GET", value["href"], token=token)
    assert link.status_code == 302
    bucket = aws.physical["DocumentsBucket"]
    key = urllib.parse.unquote(urllib.parse.urlsplit(link.headers["Location"]).path).lstrip("/")
    assert boto3.client("s3").get_object(Bucket=bucket, Key=key.removeprefix(f"{bucket}/"))["Body"].read() == PDF
    # only files that exist, of results that are shown
    assert call(seeded, "GET", value["href"][:-1] + "0", token=token).status_code == 404  # the text, not a file
    assert call(seeded, "GET", value["href"][:-1] + "7", token=token).status_code == 404

    # a corrected PDF of the same size is a new version with its own file; a cancelled result takes its file away
    feed(oru_with_pdf("r-2", PDF.replace(b"discharge", b"corrected"), status="C"))
    again = call(seeded, "GET", f"/v1/patients/{patient_id}/results/{listed['result_id']}", token=token).json_body
    assert again["version"] == 2
    feed(oru_with_pdf("r-3", PDF, status="X"))
    assert call(seeded, "GET", value["href"], token=token).status_code == 404


def test_a_page_gets_the_same_links_as_json_with_the_same_check_and_audit(feed, ana, seeded, aws, staff_token):
    patient_id, token = ana
    feed(
        mdm(
            "d-1",
            "DOC-1",
            "DS^Discharge summary",
            "OBX|1|ED|DS^Discharge summary||^application^pdf^Base64^" + base64.b64encode(PDF).decode() + "||||||F",
        ),
        oru_with_pdf("r-1", PDF),
    )
    [document] = call(seeded, "GET", f"/v1/patients/{patient_id}/documents", token=token).json_body["documents"]
    [listed] = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]
    bucket = aws.physical["DocumentsBucket"]

    def stored(url: str) -> bytes:
        key = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/").removeprefix(f"{bucket}/")
        return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()

    for path, read in (
        (f"/v1/patients/{patient_id}/documents/{document['document_id']}/content-link", "document.read"),
        (f"/v1/patients/{patient_id}/results/{listed['result_id']}/files/1/link", "result_file.read"),
    ):
        answer = call(seeded, "GET", path, token=token)
        assert answer.status_code == 200, answer.json_body
        assert answer.headers["Cache-Control"] == "no-store"
        link = answer.json_body
        assert (link["media_type"], link["disposition"]) == ("application/pdf", "inline")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(link["url"]).query)
        assert int(query["X-Amz-Expires"][0]) <= 300 and query["response-content-type"] == ["application/pdf"]
        assert link["expires_at"].endswith("Z")
        assert stored(link["url"]) == PDF
        events, _ = wiring.container().audit_log.for_patient(patient_id, 5)
        assert events[0].event_type == read and events[0].outcome.value == "success"
        # staff, and the patient for something that is not a file, get no link
        assert call(seeded, "GET", path, token=staff_token).status_code == 403
    assert (
        call(
            seeded, "GET", f"/v1/patients/{patient_id}/results/{listed['result_id']}/files/0/link", token=token
        ).status_code
        == 404
    )
    assert (
        call(seeded, "GET", f"/v1/patients/{patient_id}/documents/{'0' * 32}/content-link", token=token).status_code
        == 404
    )
