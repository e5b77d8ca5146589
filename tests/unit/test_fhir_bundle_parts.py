"""read_fhir_parts: in a batch, message, collection or searchset Bundle each patient's part is read
on its own and what cannot be read is set aside with its reason; transaction and document Bundles
stay all or nothing. And intake: the parts a filed message left out get records of their own."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest

from chalicelib.feeds.domain import FeedStatus, IntakeResult, QuarantinedPart
from chalicelib.feeds.service import receive
from chalicelib.interop.fhir import read_fhir, read_fhir_parts
from chalicelib.records.domain import Unreadable
from tests.conftest import SAMPLES_DIR
from tests.unit.fakes import FakeArchive, FakeFeedMessages

SYSTEM = "http://example.org/patient/identifiers"


def sample(name: str) -> dict:
    return json.loads((SAMPLES_DIR / "fhir" / name).read_text())


def patient(resource_id: str, mrn: str | None) -> dict:
    found = sample("uscore_patient-example.json")
    found["id"] = resource_id
    found["identifier"] = [{"system": SYSTEM, "value": mrn}] if mrn else []
    return found


def observation(resource_id: str, subject: str, value: float = 1.0, **more) -> dict:
    found = copy.deepcopy(sample("uscore_observation-cbc-hemoglobin.json"))
    found.update(id=resource_id, subject={"reference": subject}, **more)
    found["valueQuantity"]["value"] = value
    return found


def bundle(*resources: dict, bundle_type: str = "batch") -> dict:
    return {
        "resourceType": "Bundle",
        "type": bundle_type,
        "entry": [
            {"fullUrl": f"https://example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r} for r in resources
        ],
    }


def by_patient(parts) -> dict[str, list]:
    return {m.patient.identifiers[0].value: [r.source_id for r in m.results] for m in parts.messages}


def values(parts, mrn: str) -> list[str]:
    [message] = [m for m in parts.messages if m.patient.identifiers[0].value == mrn]
    return [o.number for r in message.results for o in r.observations]


def test_a_batch_sets_aside_the_unidentifiable_patient_with_what_is_about_it_and_reads_the_others():
    document = bundle(
        patient("ana", "MRN-1"),
        observation("ana-1", "Patient/ana", 5.5),
        patient("nobody", None),
        observation("nobody-1", "Patient/nobody"),
        observation("nobody-2", "Patient/nobody"),
        patient("bo", "MRN-2"),
        observation("bo-1", "Patient/bo", 7.5),
    )

    parts = read_fhir_parts(document)

    assert parts.independent
    assert by_patient(parts) == {"MRN-1": ["Observation/ana-1"], "MRN-2": ["Observation/bo-1"]}
    [aside] = parts.set_aside
    assert aside.position == 2
    assert aside.where == "Bundle.entry[2] (Patient), with 2 entries about that patient (Bundle.entry[3], [4])"
    assert aside.reason == "Patient has no identifier with a system (assigning authority) (at Bundle.entry[2])."
    # The same document as a transaction, or read all or nothing, is refused whole.
    for refused in (bundle(*[e["resource"] for e in document["entry"]], bundle_type="transaction"), document):
        with pytest.raises(Unreadable, match="no identifier with a system"):
            (read_fhir_parts if refused is not document else read_fhir)(refused)


@pytest.mark.parametrize("bundle_type", ["batch", "message", "collection", "searchset"])
def test_each_independent_bundle_type_reads_by_part(bundle_type):
    resources = [patient("ana", "MRN-1"), observation("ana-1", "Patient/ana"), observation("lost", "Patient/zed!")]
    if bundle_type == "message":
        header = {"resourceType": "MessageHeader", "id": "h", "eventCoding": {"code": "x"}, "source": {"endpoint": "e"}}
        resources.insert(0, header)

    parts = read_fhir_parts(bundle(*resources, bundle_type=bundle_type))

    assert by_patient(parts) == {"MRN-1": ["Observation/ana-1"]}
    [aside] = parts.set_aside
    assert "is neither a Patient in this bundle nor a reference to one" in aside.reason


def test_a_panel_listing_another_patients_observation_is_set_aside_and_that_observation_stays_its_own():
    panel = observation("panel", "Patient/ana", hasMember=[{"reference": "Observation/bo-1"}])
    del panel["valueQuantity"]

    parts = read_fhir_parts(
        bundle(patient("ana", "MRN-1"), patient("bo", "MRN-2"), panel, observation("bo-1", "Patient/bo", 7.5))
    )

    assert by_patient(parts) == {"MRN-1": [], "MRN-2": ["Observation/bo-1"]}
    assert values(parts, "MRN-2") == ["7.5"]
    [aside] = parts.set_aside
    assert aside.where == "Bundle.entry[2] (Observation)"
    assert "lists an Observation (at Bundle.entry[3]) whose subject is another patient" in aside.reason


def test_a_focus_on_another_patients_observation_never_brings_its_values():
    focused = observation("ana-1", "Patient/ana", 5.5, focus=[{"reference": "Observation/bo-1"}])

    parts = read_fhir_parts(
        bundle(patient("ana", "MRN-1"), patient("bo", "MRN-2"), focused, observation("bo-1", "Patient/bo", 7.5))
    )

    assert values(parts, "MRN-1") == ["5.5"] and values(parts, "MRN-2") == ["7.5"]
    assert parts.set_aside == []


def test_a_report_listing_an_unreadable_observation_is_set_aside_with_what_it_lists():
    report = sample("uscore_diagnosticreport-metabolic-panel.json")
    report["subject"] = {"reference": "Patient/ana"}
    sodium = observation("serum-sodium", "Patient/ana")
    potassium = observation("serum-potassium", "Patient/ana", status="done")  # not a status

    parts = read_fhir_parts(
        bundle(patient("ana", "MRN-1"), report, sodium, potassium, observation("ana-2", "Patient/ana"))
    )

    assert by_patient(parts) == {"MRN-1": ["Observation/ana-2"]}
    [aside] = parts.set_aside
    assert aside.where == "Bundle.entry[1] (DiagnosticReport), with 2 entries it lists (Bundle.entry[2], [3])"
    assert aside.reason == "Observation (at Bundle.entry[3]) status is missing or not a FHIR result status."


def test_a_hasmember_cycle_in_a_batch_is_set_aside_alone():
    one = observation("one", "Patient/ana", hasMember=[{"reference": "Observation/two"}])
    two = observation("two", "Patient/ana", hasMember=[{"reference": "Observation/one"}])

    parts = read_fhir_parts(bundle(patient("ana", "MRN-1"), one, two, observation("ana-1", "Patient/ana")))

    assert by_patient(parts) == {"MRN-1": ["Observation/ana-1"]}
    assert [a.where for a in parts.set_aside] == ["Bundle.entry[1] (Observation)", "Bundle.entry[2] (Observation)"]
    assert all("hasMember cycle" in a.reason for a in parts.set_aside)


def test_a_batch_with_no_part_that_can_be_read_is_unreadable_whole():
    with pytest.raises(Unreadable) as caught:
        read_fhir_parts(bundle(patient("nobody", None), observation("x", "Patient/nobody"), patient("none", None)))

    assert str(caught.value).startswith(
        "No part of the Bundle can be filed. Bundle.entry[0] (Patient), with 1 entry about that patient"
    )
    assert "(1 more parts could not be read either)" in str(caught.value)


def test_a_document_bundle_and_a_single_resource_stay_all_or_nothing():
    document = bundle(patient("ana", "MRN-1"), observation("lost", "Patient/zed!"), bundle_type="document")
    with pytest.raises(Unreadable):
        read_fhir_parts(document)
    assert read_fhir_parts(patient("ana", "MRN-1")).independent is False


# -- intake: the parts a filed message left out -------------------------------------------------

NOW = datetime(2026, 3, 14, 9, 26, 53, tzinfo=timezone.utc)


class Filed:
    quarantined = (
        QuarantinedPart("entry[2]", "Bundle.entry[2] (Patient)", "Patient has no identifier."),
        QuarantinedPart("entry[7]", "Bundle.entry[7] (Observation)", "Observation is not valid FHIR R4."),
    )


def test_parts_left_out_are_quarantined_on_records_of_their_own_once_however_often_delivered():
    archive, messages = FakeArchive(), FakeFeedMessages()
    body = json.dumps(bundle(patient("ana", "MRN-1"))).encode()

    def take():
        return receive(
            body, archive=archive, messages=messages, sender_hint="ehr", received_at=NOW, filer=lambda e, k: Filed()
        )

    [(result, key)] = take()

    assert result is IntakeResult.FILED
    filed = messages.get(key)
    assert (filed.status, filed.reason) == (FeedStatus.FILED, "Filed, but for 2 parts quarantined on their own.")
    part = messages.get(f"part|{key}|entry[2]")
    assert part.status is FeedStatus.QUARANTINED
    assert part.reason == (
        "Only this part of the message was not filed: Bundle.entry[2] (Patient). Patient has no identifier."
    )
    assert (part.sender, part.control_id, part.archive_key) == (filed.sender, filed.control_id, filed.archive_key)
    assert messages.get(f"part|{key}|entry[7]").status is FeedStatus.QUARANTINED

    assert take() == [(IntakeResult.DUPLICATE, key)]
    assert len(messages.in_status(FeedStatus.QUARANTINED, 10)[0]) == 2


def test_an_entry_naming_a_set_aside_patient_by_identifier_goes_with_that_patient():
    """An invalid Patient still answers to its identifiers: an Observation naming it so is never
    filed under whichever patient the portal holds with that identifier."""
    invalid = patient("zed", "MRN-9")
    invalid["birthDate"] = "last spring"
    by_identifier = observation("zed-1", "Patient/zed")
    by_identifier["subject"] = {"identifier": {"system": SYSTEM, "value": "MRN-9"}}

    parts = read_fhir_parts(bundle(patient("ana", "MRN-1"), invalid, by_identifier))

    assert by_patient(parts) == {"MRN-1": []}
    [aside] = parts.set_aside
    assert aside.where == "Bundle.entry[1] (Patient), with 1 entry about that patient (Bundle.entry[2])"
    assert "birthDate" in aside.reason and "last spring" not in aside.reason


def test_a_batch_listing_more_observations_than_the_cap_is_unreadable_whole(monkeypatch):
    """The cap is on the document, not one entry: a batch over it is not read by part."""
    from chalicelib.interop.fhir import document

    monkeypatch.setattr(document, "_MAX_VALUES", 3)
    report = sample("uscore_diagnosticreport-metabolic-panel.json")
    report["subject"] = {"reference": "Patient/ana"}
    listed = [observation(f"o{n}", "Patient/ana") for n in range(4)]
    report["result"] = [{"reference": f"Observation/o{n}"} for n in range(4)]

    with pytest.raises(Unreadable, match="The document lists more than 3 observations: send it in parts."):
        read_fhir_parts(bundle(patient("ana", "MRN-1"), report, *listed))
    # Three are within it, though the batch walks the report twice (for another patient's, then to read it).
    assert by_patient(read_fhir_parts(bundle(patient("ana", "MRN-1"), report, *listed[:3]))) == {
        "MRN-1": ["DiagnosticReport/metabolic-panel"]
    }
