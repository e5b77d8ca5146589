"""FHIR Bundles through the real feed handler: in a batch, message or collection Bundle each
patient's part is filed on its own, and what cannot be tied to an identified patient is
quarantined alone, with its reason and where it sits; a transaction Bundle stays all or nothing.

The Bundles are built from the public samples of three senders' styles: a Synthea patient record
(urn:uuid fullUrls, a transaction as Synthea writes it), Microsoft's SMART sample patient (RESTful
Type/id references, and a Patient with no identifier at all), and US Core's examples (a Patient
with its assigning authority, a lab Observation, a metabolic panel report).
"""

from __future__ import annotations

import copy
import json

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource, FeedStatus
from tests.conftest import SAMPLES_DIR
from tests.integration.identity.conftest import call
from tests.integration.records.conftest import ORG, all_records, deliver, feed_records, find, patient_items, rid

SENDER = "ehr-fhir"
SYNTHEA = "https://github.com/synthetichealth/synthea"
ALBERTO = "fc712d1f-5a2e-4407-9c55-a2a2bad623c2"
US_CORE = "http://example.org/patient/identifiers"
AMY = "1032702"


def sample(name: str) -> dict:
    return json.loads((SAMPLES_DIR / "fhir" / name).read_text())


def amy_entries() -> list[dict]:
    """US Core's patient (Amy Baxter, with her assigning authority) and her hemoglobin result."""
    return [
        {"fullUrl": "http://example.org/fhir/Patient/example", "resource": sample("uscore_patient-example.json")},
        {
            "fullUrl": "http://example.org/fhir/Observation/cbc-hemoglobin",
            "resource": sample("uscore_observation-cbc-hemoglobin.json"),
        },
    ]


def three_patients(bundle_type: str) -> str:
    """Synthea's Alberto, SMART's patient A (whose Patient has no identifier) and US Core's Amy."""
    entries = sample("synthea_Alberto_Atencio.json")["entry"] + sample("msfhir_SmartPatientA.json")["entry"]
    return json.dumps({"resourceType": "Bundle", "type": bundle_type, "entry": entries + amy_entries()})


def quarantined() -> dict[str, object]:
    return {key: item for key, item in feed_records().items() if item.status == FeedStatus.QUARANTINED.value}


def test_a_batch_with_one_unidentifiable_patient_files_the_others_and_quarantines_that_one_alone(
    seeded, staff_token, container
):
    container.records.add_feed_source(FeedSource(SENDER, ORG))
    body = three_patients("batch")

    assert deliver(seeded, body, group_id="EHR", attributes={"sender": SENDER}) == {"batchItemFailures": []}

    # Alberto's and Amy's records are filed under them; nobody was made up for SMART's patient.
    alberto, amy = find(ORG, SYNTHEA, ALBERTO), find(ORG, US_CORE, AMY)
    assert alberto is not None and amy is not None
    assert len(patient_items()) == 2
    hemoglobin = container.records.current(amy.patient_id, rid(SENDER, "Observation/cbc-hemoglobin"))
    assert hemoglobin is not None and hemoglobin.content["observations"][0]["value"]["number"] == "17"
    filed_for = {record.patient_id for record in all_records()}
    assert filed_for == {alberto.patient_id, amy.patient_id}
    assert sum(record.patient_id == alberto.patient_id for record in all_records()) > 20
    # The message is filed, and says that one part of it is not.
    [message] = [item for item in feed_records().values() if not item.message_key.startswith("part|")]
    assert message.status == "filed" and message.reason == "Filed, but for 2 parts quarantined on their own."
    # SMART's patient and every entry about it wait in quarantine on one record, with where and
    # why; SMART's Appointment, not valid FHIR (and naming no patient the portal could read), on another.
    parts = {item.message_key: item for item in quarantined().values()}
    assert set(parts) == {f"part|{message.message_key}|entry[78]", f"part|{message.message_key}|entry[86]"}
    patient_part = parts[f"part|{message.message_key}|entry[78]"].reason
    assert "Bundle.entry[78] (Patient), with 9 entries about that patient (Bundle.entry[79]," in patient_part
    assert "Patient has no identifier with a system (assigning authority)" in patient_part
    assert "SMART" not in patient_part and "smart-patient-A" not in patient_part  # no values, no ids
    appointment_part = parts[f"part|{message.message_key}|entry[86]"].reason
    assert "Bundle.entry[86] (Appointment). Appointment (at Bundle.entry[86]) is not valid FHIR R4" in appointment_part

    # Staff see them beside whole messages; dismissed, never replayed (their Bundle was filed).
    listed = call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"]
    assert [(i["sender"], i["format"], i["replayable"]) for i in listed] == [(SENDER, "fhir", False)] * 2
    [item] = [i for i in listed if "Bundle.entry[78] (Patient)" in i["reason"]]
    replay = call(seeded, "POST", f"/v1/staff/feed/quarantine/{item['id']}/replay", None, staff_token)
    assert replay.status_code == 409 and "new Bundle" in replay.json_body["error"]["message"]

    # The same Bundle again (a redelivery): nothing new is filed, and the part is not quarantined twice.
    versions_before = len(all_records())
    assert deliver(seeded, body, group_id="EHR", attributes={"sender": SENDER}) == {"batchItemFailures": []}
    assert len(all_records()) == versions_before
    assert len(quarantined()) == 2 and len(patient_items()) == 2

    dismissed = call(seeded, "POST", f"/v1/staff/feed/quarantine/{item['id']}/dismiss", None, staff_token)
    assert dismissed.status_code == 200
    [left] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"]
    assert "Appointment" in left["reason"]


def test_a_transaction_with_the_same_flaw_is_quarantined_whole(api, container):
    container.records.add_feed_source(FeedSource(SENDER, ORG))

    deliver(api, three_patients("transaction"), group_id="EHR", attributes={"sender": SENDER})

    [record] = feed_records().values()
    assert record.status == "quarantined"
    assert "Patient has no identifier with a system (assigning authority) (at Bundle.entry[78])" in record.reason
    assert patient_items() == [] and all_records() == []


def bo() -> dict:
    """A second US Core patient, another chart under the same assigning authority."""
    patient = sample("uscore_patient-example.json")
    patient["id"] = "bo"
    patient["identifier"] = [{"system": US_CORE, "value": "2002"}]
    patient["name"] = [{"family": "Berg", "given": ["Bo"]}]
    return patient


def observation(source_id: str, subject: str, value: str) -> dict:
    found = copy.deepcopy(sample("uscore_observation-cbc-hemoglobin.json"))
    found["id"] = source_id
    found["subject"] = {"reference": subject}
    found["valueQuantity"]["value"] = float(value)
    return found


def message_bundle(*resources: dict) -> str:
    """A FHIR message as a hospital's interface engine sends it: a MessageHeader naming the
    sending endpoint first, then the resources, each under a RESTful fullUrl."""
    header = {
        "resourceType": "MessageHeader",
        "id": "header-1",
        "eventCoding": {"system": "http://example.org/fhir/message-events", "code": "observation-provide"},
        "source": {"endpoint": SENDER},
    }
    return json.dumps(
        {
            "resourceType": "Bundle",
            "id": "message-1",
            "type": "message",
            "timestamp": "2024-03-01T12:00:00Z",
            "entry": [{"fullUrl": "urn:uuid:5f1c3f0e-7f5e-4b8e-9a4a-1f2b3c4d5e6f", "resource": header}]
            + [{"fullUrl": f"http://example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
        }
    )


def test_a_report_listing_another_patients_observation_never_shows_it_under_its_patient(api, container):
    container.records.add_feed_source(FeedSource(SENDER, ORG))
    report = sample("uscore_diagnosticreport-metabolic-panel.json")  # Amy's; it lists serum-sodium ...
    sodium = observation("serum-sodium", "Patient/example", "140")  # Amy's own
    potassium = observation("serum-potassium", "Patient/bo", "4.1")  # Bo's, yet the report lists it
    # Amy's hemoglobin says it is "focused" on Bo's potassium: the focus is never read as a value.
    focused = observation("focused", "Patient/example", "13.2")
    focused["focus"] = [{"reference": "Observation/serum-potassium"}]

    deliver(
        api,
        message_bundle(sample("uscore_patient-example.json"), bo(), report, sodium, potassium, focused),
        group_id="EHR",
    )

    amy, bo_ = find(ORG, US_CORE, AMY), find(ORG, US_CORE, "2002")
    # The report is quarantined: it would show Bo's potassium on Amy's chart.
    assert container.records.current(amy.patient_id, rid(SENDER, "DiagnosticReport/metabolic-panel")) is None
    [part] = quarantined().values()
    assert "Bundle.entry[3] (DiagnosticReport), with 1 entry it lists (Bundle.entry[4])" in part.reason
    assert "lists an Observation (at Bundle.entry[5]) whose subject is another patient" in part.reason
    # Bo's potassium is Bo's, as a result of its own; nothing of it is on Amy's chart.
    on_bo = container.records.current(bo_.patient_id, rid(SENDER, "Observation/serum-potassium"))
    assert on_bo is not None and on_bo.content["observations"][0]["value"]["number"] == "4.1"
    amys = [r for r in all_records() if r.patient_id == amy.patient_id and "#v" not in r.record_key]
    assert len(amys) == 1  # the focused Observation, with its own value only
    assert [o["value"]["number"] for o in amys[0].content["observations"]] == ["13.2"]
    assert "4.1" not in json.dumps(amys[0].content)
    [message] = [i for i in feed_records().values() if not i.message_key.startswith("part|")]
    assert (message.message_key, message.status) == (f"{SENDER}|message-1", "filed")


def test_a_collection_whose_one_observation_is_unreadable_files_the_rest(api, container):
    """A patient feed in a collection: one Observation has a status FHIR does not know; the patient,
    and their other result, are filed."""
    container.records.add_feed_source(FeedSource(SENDER, ORG))
    broken = observation("broken", "Patient/example", "1.0")
    broken["status"] = "done"  # not an Observation status
    body = json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [*amy_entries(), {"fullUrl": "urn:uuid:0b7c3a52-9d1e-4b8f-8e2a-6f4d3c2b1a09", "resource": broken}],
        }
    )

    deliver(api, body, group_id="EHR", attributes={"sender": SENDER})

    amy = find(ORG, US_CORE, AMY)
    assert container.records.current(amy.patient_id, rid(SENDER, "Observation/cbc-hemoglobin")) is not None
    assert container.records.current(amy.patient_id, rid(SENDER, "Observation/broken")) is None
    [part] = quarantined().values()
    assert part.reason.startswith(
        "Only this part of the message was not filed: "
        "Bundle.entry[2] (Observation, urn:uuid:0b7c3a52-9d1e-4b8f-8e2a-6f4d3c2b1a09)."
    )
    assert "status" in part.reason and "done" not in part.reason


def test_a_patient_sent_earlier_who_is_not_known_is_quarantined_alone_when_filed(api, container):
    """Filing, not reading, refuses one patient's part (nobody was ever sent as Patient/ghost):
    the others of the batch are filed all the same."""
    container.records.add_feed_source(FeedSource(SENDER, ORG))
    ghost = observation("ghost-result", "Patient/ghost", "2.0")
    body = json.dumps(
        {
            "resourceType": "Bundle",
            "type": "batch",
            "entry": [
                {"fullUrl": "urn:uuid:3d2c1b0a-1111-4222-8333-944455556666", "resource": ghost},
                *amy_entries(),
            ],
        }
    )

    deliver(api, body, group_id="EHR", attributes={"sender": SENDER})

    amy = find(ORG, US_CORE, AMY)
    assert container.records.current(amy.patient_id, rid(SENDER, "Observation/cbc-hemoglobin")) is not None
    [part] = quarantined().values()
    assert part.message_key.endswith("|patient[0]")
    assert "the patient sent earlier that Bundle.entry[0] refers to" in part.reason
    assert "ghost" not in part.reason
    assert len(patient_items()) == 1
    assert wiring.container().feed_messages.get(part.message_key).status is FeedStatus.QUARANTINED


def test_a_part_quarantined_on_its_own_is_counted_where_the_quarantine_alarm_looks(aws, container, capfd):
    """Deployed (stage prod): the message is counted filed, and its part left out quarantined."""
    from chalice.test import Client

    import app as app_module
    from tests.conftest import PROJECT_DIR
    from tests.integration.conftest import sqs_event
    from tests.integration.records.conftest import QUEUE

    container.records.add_feed_source(FeedSource(SENDER, ORG))
    nobody = sample("uscore_patient-example.json")
    nobody["id"], nobody["identifier"] = "nobody", []
    body = json.dumps({"resourceType": "Bundle", "type": "batch", "entry": [*amy_entries(), {"resource": nobody}]})
    capfd.readouterr()

    with Client(app_module.app, stage_name="prod", project_dir=str(PROJECT_DIR)) as prod:
        event = sqs_event(prod, [body], QUEUE, group_id="EHR", attributes={"sender": SENDER})
        assert prod.lambda_.invoke("on_clinical_feed_message", event).payload == {"batchItemFailures": []}

    emitted = [json.loads(line) for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    counted = {
        m["Name"]: doc[m["Name"]] for doc in emitted for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
    }
    assert counted == {"FeedMessageFiled": [1.0], "FeedMessageQuarantined": [1.0]}


def test_a_fault_while_filing_the_second_patient_is_retried_and_files_everyone_once(api, container, monkeypatch):
    """Nothing of a batch is lost on a fault of the portal's side halfway through: the queue
    delivers it again, the patient filed before comes out unchanged, and the part left out is
    quarantined once."""
    from chalicelib.errors import DependencyUnavailable
    from tests.integration.conftest import sqs_event
    from tests.integration.records.conftest import QUEUE

    container.records.add_feed_source(FeedSource(SENDER, ORG))
    nobody = sample("uscore_patient-example.json")
    nobody["id"], nobody["identifier"] = "nobody", []
    entries = [
        *amy_entries(),
        {"resource": bo()},
        {"resource": observation("bo-result", "Patient/bo", "4.1")},
        {"resource": nobody},
        {"resource": observation("nobody-result", "Patient/nobody", "9.9")},
    ]
    body = json.dumps({"resourceType": "Bundle", "type": "batch", "entry": entries})
    real, calls = container.records.put_version, []

    def second_fails(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:  # Bo's result, after Amy's was filed
            raise DependencyUnavailable("The health records store is unavailable.")
        return real(*args, **kwargs)

    monkeypatch.setattr(container.records, "put_version", second_fails)
    event = sqs_event(api, [body], QUEUE, group_id="EHR", attributes={"sender": SENDER})

    first = api.lambda_.invoke("on_clinical_feed_message", event).payload
    assert first == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    [record] = feed_records().values()
    assert record.status == "accepted" and quarantined() == {}

    assert api.lambda_.invoke("on_clinical_feed_message", event).payload == {"batchItemFailures": []}

    amy, bo_ = find(ORG, US_CORE, AMY), find(ORG, US_CORE, "2002")
    for patient, source_id in ((amy, "Observation/cbc-hemoglobin"), (bo_, "Observation/bo-result")):
        assert [v.version for v in container.records.versions(patient.patient_id, rid(SENDER, source_id))] == [1]
    assert len(patient_items()) == 2
    assert feed_records()[record.message_key].status == "filed"
    [part] = quarantined().values()
    assert "Bundle.entry[4] (Patient), with 1 entry about that patient (Bundle.entry[5])" in part.reason
