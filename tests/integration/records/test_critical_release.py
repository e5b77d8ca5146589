"""A critical result is the care team's to call about at once, and the patient's to see like any
other: its "call the patient" task is made when it is filed, no policy delay applies to it (the
patient's own choice to wait still does), and the notice says the care team will contact them,
never what the result is. Messages in the styles of a lab system, Epic, Cerner and FHIR."""

from __future__ import annotations

import json

import pytest

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import call, sign_in
from tests.integration.records.conftest import ORG, deliver, feed_records, segment
from tests.integration.test_release_policy import set_policy

CRITICAL_SUBJECT = "Your care team will contact you about something new in your patient portal"
GENERIC_SUBJECT = "Something new is waiting in your patient portal"
PID = "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F"


def obr(filler: str, test: str, section: str) -> str:
    """OBR-3 the filler's order, OBR-4 the test, OBR-24 the diagnostic section, OBR-25 final."""
    return segment("OBR", {1: "1", 3: filler, 4: test, 7: "20261125070000", 22: "20261125075500", 24: section, 25: "F"})


def lab_vendor(control: str, flags: str = "LL", order: str = "K-1") -> tuple[str, str, str]:
    """A reference lab's ORU: plain LOINC codes, the flag in OBX-8."""
    body = "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|PORTAL|AMC|20261125080000||ORU^R01^ORU_R01|{control}|P|2.5.1",
            PID,
            obr(f"{order}^LAB", "2823-3^Potassium^LN", "CH"),
            f"OBX|1|NM|2823-3^Potassium^LN||2.1|mmol/L|3.5-5.1|{flags}|||F|||20261125070000",
        ]
    )
    return body, "LAB", "LAB|AMC"


def imaging(control: str) -> tuple[str, str, str]:
    """A radiology report from the same sender (imaging, not lab)."""
    body = "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|PORTAL|AMC|20261125080000||ORU^R01^ORU_R01|{control}|P|2.5.1",
            PID,
            obr("X-1^LAB", "24627-2^Chest CT^LN", "RAD"),
            "OBX|1|TX|24627-2^Chest CT^LN||No acute findings.||||N|||F",
        ]
    )
    return body, "LAB", "LAB|AMC"


def epic(control: str) -> tuple[str, str, str]:
    """Epic's result interface: an ORC before the OBR, local codes beside LOINC, a zone on MSH-7."""
    body = "\r".join(
        [
            f"MSH|^~\\&|EPIC|AMC|PORTAL|AMC|20261125080000-0500||ORU^R01^ORU_R01|{control}|P|2.5.1",
            PID + "|||||||||||||||||||",
            "ORC|RE|ORD-55^EPC|E-77^EPC||CM",
            segment(
                "OBR",
                {1: "1", 2: "ORD-55^EPC", 3: "E-77^EPC", 4: "LAB123^SODIUM^EAP^2951-2^Sodium^LN", 7: "20261125070000"}
                | {16: "1234^Welby^Marcus", 22: "20261125075500", 24: "Lab", 25: "F"},
            ),
            "OBX|1|NM|2951-2^Sodium^LN^NA^SODIUM^EPIC|1|118|mmol/L|135-145|LL|||F|||20261125070000",
            "NTE|1||Called to the floor.",
        ]
    )
    return body, "EPIC", "EPIC|AMC"


def cerner(control: str) -> tuple[str, str, str]:
    """Cerner Millennium (HNAM): a microbiology text result flagged AA (critically abnormal)."""
    body = "\r".join(
        [
            f"MSH|^~\\&|HNAM|AMC|PORTAL|AMC|20261125080000||ORU^R01|{control}|P|2.3",
            PID,
            obr("C-9^HNAM_ORDERID", "600-7^Blood culture^LN", "MB"),
            "OBX|1|ST|600-7^Blood culture^LN||Gram positive cocci in clusters|||AA|||F",
        ]
    )
    return body, "HNAM", "HNAM|AMC"


def fhir(control: str) -> tuple[str, str, str]:
    """A FHIR Observation whose interpretation is HH (critically high)."""
    bundle = {
        "resourceType": "Bundle",
        "id": control,
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:ana",
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [{"system": "AMC-MRN", "value": "MRN-1001"}],
                    "name": [{"family": "Núñez", "given": ["Ana"]}],
                    "birthDate": "1984-03-09",
                },
            },
            {
                "fullUrl": "urn:uuid:troponin",
                "resource": {
                    "resourceType": "Observation",
                    "id": "troponin-1",
                    "status": "final",
                    "category": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                    "code": "laboratory",
                                }
                            ]
                        }
                    ],
                    "code": {"coding": [{"system": "http://loinc.org", "code": "6598-7", "display": "Troponin T"}]},
                    "subject": {"reference": "urn:uuid:ana"},
                    "valueQuantity": {"value": 2.4, "unit": "ng/mL"},
                    "interpretation": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                                    "code": "HH",
                                }
                            ]
                        }
                    ],
                },
            },
        ],
    }
    return json.dumps(bundle), "EHR", "ehr-fhir"


STYLES = {"lab-vendor": lab_vendor, "epic": epic, "cerner": cerner, "fhir": fhir}
# what each message says that no email may: the test, the value, the person
SECRETS = ("Potassium", "2.1", "Sodium", "118", "Blood culture", "cocci", "Troponin", "2.4", "Núñez", "MRN-1001")


@pytest.fixture
def ana(enrolled, seeded, container):
    for sender in ("LAB|AMC", "EPIC|AMC", "HNAM|AMC"):
        container.records.add_feed_source(FeedSource(sender, ORG, "AMC-MRN"))
    # (its system "AMC-MRN" is a local name: declared as the organization's record numbers)
    container.records.add_feed_source(FeedSource("ehr-fhir", ORG, authorities=(("AMC-MRN", "AMC-MRN"),)))
    return enrolled.patient_id


def send(api, message: tuple[str, str, str]) -> None:
    body, group, sender = message
    attributes = {"sender": sender} if sender == "ehr-fhir" else None
    assert deliver(api, body, group_id=group, attributes=attributes) == {"batchItemFailures": []}
    assert {r.status for r in feed_records().values()} == {"filed"}, [r.reason for r in feed_records().values()]


def token(api) -> str:
    return sign_in(api, "ana.nunez", "correct horse battery")


def shown(api, patient_id: str) -> list[dict]:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/results", token=token(api))
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["results"]


def calls_to_make(api, staff_token: str) -> list[dict]:
    items = call(api, "GET", "/v1/staff/worklist", token=staff_token).json_body["items"]
    return [item for item in items if item["task"] == "call_patient"]


def emails(api) -> list:
    """Every notice of a new result emailed to her so far (not her invitation)."""
    return [
        e
        for e in deliver_notifications(api)
        if e.destinations["ToAddresses"] == ["ana@example.org"] and e.subject in (CRITICAL_SUBJECT, GENERIC_SUBJECT)
    ]


def choose(api, patient_id: str, choices: list[dict]) -> None:
    path = f"/v1/patients/{patient_id}/release-preferences"
    answer = call(api, "PUT", path, {"choices": choices}, token(api))
    assert answer.status_code == 200, answer.json_body


@pytest.mark.parametrize("style", sorted(STYLES))
def test_a_critical_result_is_called_about_at_once_and_shown_at_once_despite_a_policy_delay(
    seeded, ana, staff_token, style
):
    # GIVEN the organization delays every result category by three days
    set_policy(seeded, {f"category:{c}": 3 * 86400 for c in ("lab", "pathology", "imaging", "other")})

    # WHEN a critical result arrives (twice: a resend makes no second call)
    send(seeded, STYLES[style]("CRIT-1"))
    send(seeded, STYLES[style]("CRIT-1"))

    # THEN the care team has one call to make, at once, and the patient sees the result at once
    [task] = calls_to_make(seeded, staff_token)
    assert task["patient"]["patient_id"] == ana
    [result] = shown(seeded, ana)
    assert result["critical"] is True
    # AND she is told her care team will contact her, and nothing of the result
    sent = emails(seeded)
    assert [e.subject for e in sent] == [CRITICAL_SUBJECT]
    text = sent[0].subject + sent[0].body
    assert "care team will contact you" in text
    for secret in SECRETS:
        assert secret not in text, secret
    # AND her portal inbox says the same
    inbox = call(seeded, "GET", "/v1/me/notifications", token=token(seeded)).json_body["notifications"]
    assert [(n["template"], n["title"]) for n in inbox] == [("care_team_will_call", CRITICAL_SUBJECT)]


def test_a_result_that_is_not_critical_still_waits_for_the_policy_and_gets_the_usual_notice(seeded, ana):
    set_policy(seeded, {"category:lab": 3 * 86400})
    send(seeded, lab_vendor("CTRL-1", flags="L"))
    assert shown(seeded, ana) == []
    send(seeded, lab_vendor("CTRL-2", flags="N", order="K-2"))
    assert shown(seeded, ana) == []
    assert emails(seeded) == []


def test_the_patients_own_wait_for_review_holds_even_a_critical_result_but_the_call_is_made(seeded, ana, staff_token):
    # GIVEN she chose to see lab results after her clinician reviews them
    choose(seeded, ana, [{"category": "lab", "release": "after_review"}])

    send(seeded, lab_vendor("CRIT-1"))

    # THEN the care team calls anyway, and the result waits for their review
    assert len(calls_to_make(seeded, staff_token)) == 1
    assert shown(seeded, ana) == []
    assert [e.subject for e in emails(seeded)] == []
    [waiting] = call(seeded, "GET", f"/v1/staff/patients/{ana}/results", token=staff_token).json_body["results"]
    assert (waiting["held_reason"], waiting["delayed_by_policy"]) == ("patient_waits_for_review", False)

    # WHEN staff release it after the review, she sees it and is told the care team will call
    released = call(seeded, "POST", f"/v1/staff/results/{waiting['result_id']}/release", None, staff_token)
    assert released.status_code == 200, released.json_body
    assert [r["critical"] for r in shown(seeded, ana)] == [True]
    assert [e.subject for e in emails(seeded)] == [CRITICAL_SUBJECT]


def test_after_my_clinician_reviews_it_holds_a_lab_result_until_staff_release_it(seeded, ana, staff_token):
    choose(seeded, ana, [{"category": "lab", "release": "after_review"}])

    send(seeded, lab_vendor("CTRL-1", flags="H"))
    send(seeded, imaging("CTRL-2"))  # a category she did not choose to wait for

    # THEN the lab result waits for the review; the imaging one is there at once
    assert [r["category"] for r in shown(seeded, ana)] == ["imaging"]
    upcoming = call(seeded, "GET", f"/v1/patients/{ana}/upcoming-releases", token=token(seeded)).json_body["upcoming"]
    assert [(u["category"], u["waiting_for_review"]) for u in upcoming] == [("lab", True)]
    # AND staff see why it waits, and what she chose
    listed = call(seeded, "GET", f"/v1/staff/patients/{ana}/results", token=staff_token).json_body["results"]
    [lab] = [r for r in listed if r["category"] == "lab"]
    assert lab["held_reason"] == "patient_waits_for_review"
    chosen = call(seeded, "GET", f"/v1/staff/patients/{ana}/release-preferences", token=staff_token)
    assert chosen.status_code == 200, chosen.json_body
    assert {c["category"]: c["release"] for c in chosen.json_body["choices"]}["lab"] == "after_review"
    emails(seeded)  # (the imaging result's notice)

    # WHEN staff release it
    released = call(seeded, "POST", f"/v1/staff/results/{lab['result_id']}/release", None, staff_token)

    # THEN she sees it and is told
    assert released.status_code == 200, released.json_body
    assert sorted(r["category"] for r in shown(seeded, ana)) == ["imaging", "lab"]
    assert [e.subject for e in emails(seeded)] == [GENERIC_SUBJECT]


def test_staff_read_the_patients_choice_but_a_patient_cannot_use_the_staff_route(seeded, ana, staff_token):
    choose(seeded, ana, [{"category": "pathology", "release": "after_days", "days": 3}])
    path = f"/v1/staff/patients/{ana}/release-preferences"

    assert call(seeded, "GET", path, token=token(seeded)).status_code == 403
    read = call(seeded, "GET", path, token=staff_token).json_body

    assert {c["category"]: (c["release"], c["days"]) for c in read["choices"]}["pathology"] == ("after_days", 3)
    events, _ = wiring.container().audit_log.for_patient(ana, 50)
    kinds = [(e.event_type, e.reason) for e in events]
    assert ("release_preferences.changed", "pathology:3d") in kinds
    assert "release_preferences.read" in {e.event_type for e in events}
