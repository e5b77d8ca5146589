"""HL7 v2 results and demographics through the real feed handler: a result lands under the
patient named by identifier plus assigning authority (created from PID when unknown), is kept as
versions, and anything that would need a guess goes to quarantine with its reason."""

from __future__ import annotations

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource
from chalicelib.filing.matching import scoped_authority
from chalicelib.patients.domain import PortalStatus
from tests.integration.records.conftest import (
    ORG,
    adt,
    all_records,
    deliver,
    feed_records,
    find,
    obx,
    oru,
    patient_items,
    rid,
)

LAB = "LAB|AMC"


def test_a_result_for_an_unknown_patient_creates_the_patient_and_files_the_result(api, lab_source):
    result = deliver(api, oru("CTRL-1", "P-100^^^AMC-MRN"))

    assert result == {"batchItemFailures": []}
    patient = find(ORG, "AMC-MRN", "P-100")
    assert patient is not None
    assert (patient.family_name, patient.given_names, patient.birth_date, patient.sex) == (
        "Doe",
        ("Jane",),
        "1980-01-02",
        "female",
    )
    assert patient.organization_id == ORG
    assert patient.portal_status is PortalStatus.NOT_INVITED  # created from the feed, not invited
    assert [(i.authority, i.value) for i in patient.identifiers] == [("AMC-MRN", "P-100")]

    stored = wiring.container().records.current(patient.patient_id, rid(LAB, "F-100^LAB"))
    assert stored is not None
    assert (stored.version, stored.status, stored.category) == (1, "final", "lab")
    content = stored.content
    assert content["code"] == {"code": "2093-3", "display": "Cholesterol", "system": "LN"}
    assert content["ordering_provider"] == "Marcus Welby MD"
    assert content["collected_at"] == "2024-03-01T08:00:00-05:00"  # sent without an offset: New York's clock
    [observation] = content["observations"]
    assert observation["value"] == {"type": "numeric", "number": "241"}
    assert (observation["units"], observation["reference_range"], observation["flags"]) == ("mg/dL", "<200", ["H"])
    assert observation["performer"] == "Albany Medical Center Laboratory"
    assert feed_records()[f"{LAB}|CTRL-1"].status == "filed"


def test_a_bare_identifier_takes_the_senders_default_authority(api, lab_source):
    deliver(api, oru("CTRL-1", "P-200"))

    patient = find(ORG, "AMC-MRN", "P-200")
    assert patient is not None
    assert wiring.container().records.current(patient.patient_id, rid(LAB, "F-100^LAB")) is not None
    assert feed_records()[f"{LAB}|CTRL-1"].status == "filed"


def test_an_explicit_authority_wins_over_the_default(api, lab_source):
    deliver(api, oru("CTRL-1", "P-300^^^STATE-LAB&2.16.840.1.1&ISO"))

    # The universal id (an OID) names the authority for every sender; the default is for bare numbers.
    assert find(ORG, "urn:oid:2.16.840.1.1", "P-300") is not None
    assert find(ORG, "AMC-MRN", "P-300") is None


def test_a_bare_identifier_without_a_default_authority_is_quarantined_and_creates_nobody(api, container):
    container.records.add_feed_source(FeedSource(LAB, ORG))  # no default authority

    result = deliver(api, oru("CTRL-1", "P-200"))

    assert result == {"batchItemFailures": []}  # quarantine is an outcome, not a retry
    record = feed_records()[f"{LAB}|CTRL-1"]
    assert record.status == "quarantined"
    assert "assigning authority" in record.reason and "default authority" in record.reason
    assert "P-200" not in record.reason  # names the problem, not the value
    assert patient_items() == [] and all_records() == []


def test_an_unregistered_sender_is_quarantined(api, container):
    container.records.add_feed_source(FeedSource("OTHER|AMC", ORG, "AMC-MRN"))  # someone else; no catch-all

    deliver(api, oru("CTRL-1", "P-100^^^AMC-MRN"))

    record = feed_records()[f"{LAB}|CTRL-1"]
    assert record.status == "quarantined"
    assert "not registered" in record.reason
    assert patient_items() == [] and all_records() == []


def test_a_catch_all_source_files_for_any_sender(api, container):
    container.records.add_feed_source(FeedSource("*", ORG, "AMC-MRN"))

    deliver(api, oru("CTRL-1", "P-100", app="POC", facility="CLINIC"))

    patient = find(ORG, "AMC-MRN", "P-100")
    assert container.records.current(patient.patient_id, rid("POC|CLINIC", "F-100^LAB")) is not None


def test_the_same_message_twice_changes_nothing(api, container, lab_source):
    body = oru("CTRL-1", "P-100^^^AMC-MRN")
    deliver(api, body)
    before = {(r.patient_id, r.record_key): r.content_sha256 for r in all_records()}

    assert deliver(api, body) == {"batchItemFailures": []}
    # and the same result again under a new control id (a resend by the lab): no new version
    deliver(api, oru("CTRL-2", "P-100^^^AMC-MRN"))

    patient = find(ORG, "AMC-MRN", "P-100")
    assert len(patient_items()) == 1
    assert [v.version for v in container.records.versions(patient.patient_id, rid(LAB, "F-100^LAB"))] == [1]
    assert {(r.patient_id, r.record_key): r.content_sha256 for r in all_records()} == before
    assert {k: r.status for k, r in feed_records().items()} == {f"{LAB}|CTRL-1": "filed", f"{LAB}|CTRL-2": "filed"}


def test_a_corrected_result_is_a_new_version_and_the_old_one_is_kept(api, container, lab_source):
    deliver(api, oru("CTRL-1", "P-100^^^AMC-MRN", value="241"))
    patient = find(ORG, "AMC-MRN", "P-100")
    first = container.records.current(patient.patient_id, rid(LAB, "F-100^LAB"))

    deliver(api, oru("CTRL-2", "P-100^^^AMC-MRN", status="C", value="214"))

    current = container.records.current(patient.patient_id, rid(LAB, "F-100^LAB"))
    assert (current.version, current.status) == (2, "corrected")
    assert current.content["observations"][0]["value"]["number"] == "214"
    assert current.source == f"{LAB}|CTRL-2"
    versions = container.records.versions(patient.patient_id, rid(LAB, "F-100^LAB"))
    assert [(v.version, v.status, v.content["observations"][0]["value"]["number"]) for v in versions] == [
        (2, "corrected", "214"),
        (1, "final", "241"),
    ]
    assert current.listed_at == first.listed_at  # the list keeps its place, not a second entry
    assert len(patient_items()) == 1


def test_a_cancelled_result_is_stored_as_cancelled_and_withdrawn(api, container, lab_source):
    deliver(api, oru("CTRL-1", "P-100^^^AMC-MRN"))
    patient = find(ORG, "AMC-MRN", "P-100")
    from datetime import datetime, timedelta, timezone

    later = datetime.now(timezone.utc) + timedelta(minutes=1)
    shown, _ = container.records.page(patient.patient_id, "", later, 10)
    assert [r.result_id for r in shown] == [rid(LAB, "F-100^LAB")]

    deliver(api, oru("CTRL-2", "P-100^^^AMC-MRN", status="X"))

    current = container.records.current(patient.patient_id, rid(LAB, "F-100^LAB"))
    assert (current.version, current.status) == (2, "cancelled")
    assert [v.version for v in container.records.versions(patient.patient_id, rid(LAB, "F-100^LAB"))] == [2, 1]
    shown, _ = container.records.page(patient.patient_id, "", later, 10)
    assert shown == []  # withdrawn from the patient's list


def test_identifiers_of_two_different_patients_are_quarantined_and_nothing_is_filed(api, container, lab_source):
    deliver(api, adt("A04", "ADT-1", "A-1^^^AMC-MRN", family="Alpha"), group_id="ADT")
    deliver(api, adt("A04", "ADT-2", "B-1^^^AMC-MRN", family="Beta"), group_id="ADT")
    alpha, beta = find(ORG, "AMC-MRN", "A-1"), find(ORG, "AMC-MRN", "B-1")
    assert alpha.patient_id != beta.patient_id

    deliver(api, oru("CTRL-1", "A-1^^^AMC-MRN~B-1^^^AMC-MRN"))

    record = feed_records()[f"{LAB}|CTRL-1"]
    assert record.status == "quarantined"
    assert "different patients" in record.reason
    assert all_records() == []
    assert len(patient_items()) == 2
    # neither patient took the other's identifier
    assert [i.value for i in find(ORG, "AMC-MRN", "A-1").identifiers] == ["A-1"]
    assert [i.value for i in find(ORG, "AMC-MRN", "B-1").identifiers] == ["B-1"]


def test_an_a08_updates_demographics_and_adds_a_new_identifier(api, lab_source):
    deliver(api, oru("CTRL-1", "P-100^^^AMC-MRN", family="Doe"))
    patient = find(ORG, "AMC-MRN", "P-100")

    # A new family name, with the one the record holds given as her maiden name (XPN.7 M): a
    # marriage, not a mismatch (test_possible_mismatches.py holds one without it).
    deliver(
        api, adt("A08", "ADT-1", "P-100^^^AMC-MRN", family="Smith", given="Jane^^^^^L~Doe^Jane^^^^^M"), group_id="ADT"
    )

    updated = find(ORG, "AMC-MRN", "P-100")
    assert updated.patient_id == patient.patient_id
    assert (updated.family_name, updated.given_names) == ("Smith", ("Jane",))
    assert len(patient_items()) == 1

    deliver(api, adt("A08", "ADT-2", "P-100^^^AMC-MRN~99-1234^^^STATE-ID^PI", family="Smith"), group_id="ADT")
    assert {r.status for r in feed_records().values()} == {"filed"}

    # STATE-ID is a local name the ADT sender never declared: kept as that sender's own.
    state_id = scoped_authority("ADT|AMC", "STATE-ID")
    again = find(ORG, state_id, "99-1234")
    assert again is not None and again.patient_id == patient.patient_id
    assert {(i.authority, i.value) for i in again.identifiers} == {("AMC-MRN", "P-100"), (state_id, "99-1234")}
    assert len(patient_items()) == 1
    assert {r.status for r in feed_records().values()} == {"filed"}


def test_an_a40_merges_the_prior_record_into_the_survivor(api, container, lab_source):
    deliver(api, adt("A04", "ADT-1", "S-1^^^AMC-MRN", family="Survivor"), group_id="ADT")
    deliver(api, oru("CTRL-1", "PRIOR-1^^^AMC-MRN", family="Prior"))
    survivor, prior = find(ORG, "AMC-MRN", "S-1"), find(ORG, "AMC-MRN", "PRIOR-1")
    assert survivor.patient_id != prior.patient_id

    deliver(api, adt("A40", "ADT-2", "S-1^^^AMC-MRN", family="Survivor", merged="PRIOR-1^^^AMC-MRN"), group_id="ADT")

    assert feed_records()["ADT|AMC|ADT-2"].status == "filed"
    assert find(ORG, "AMC-MRN", "PRIOR-1").patient_id == survivor.patient_id
    assert container.patients.get(prior.patient_id).merged_into == survivor.patient_id
    assert container.patients.get(survivor.patient_id).merged_into == ""
    # a later result sent under the prior identifier is filed under the survivor
    deliver(api, oru("CTRL-2", "PRIOR-1^^^AMC-MRN", filler="F-200^LAB", family="Survivor"))
    assert container.records.current(survivor.patient_id, rid(LAB, "F-200^LAB")) is not None
    assert container.records.current(prior.patient_id, rid(LAB, "F-200^LAB")) is None
    # the prior record is kept, with what was filed under it; that result now shows under the
    # survivor too, with its versions
    assert container.records.current(prior.patient_id, rid(LAB, "F-100^LAB")) is not None
    moved, versions = container.records.with_versions(survivor.patient_id, rid(LAB, "F-100^LAB"))
    assert moved is not None and [v.version for v in versions] == [1]
    assert len(patient_items()) == 2
    # a redelivered merge copies nothing twice
    before = len(all_records())
    deliver(api, adt("A40", "ADT-2", "S-1^^^AMC-MRN", family="Survivor", merged="PRIOR-1^^^AMC-MRN"), group_id="ADT")
    assert len(all_records()) == before


def test_stored_content_carries_no_storage_keys_and_a_pointer_stays_text(api, container, lab_source):
    pointer = obx(
        "https://images.example.org/wado?study=1.2.3^^image^JPEG",
        value_type="RP",
        code="18748-4^Diagnostic imaging study^LN",
        units="",
        reference_range="",
        flags="",
    )
    deliver(api, oru("CTRL-1", "P-100^^^AMC-MRN", observations=[obx(), pointer]))

    patient = find(ORG, "AMC-MRN", "P-100")
    stored = container.records.current(patient.patient_id, rid(LAB, "F-100^LAB"))
    assert stored.content["observations"][1]["value"] == {
        "type": "pointer",
        "reference": "https://images.example.org/wado?study=1.2.3",
    }
    record = feed_records()[f"{LAB}|CTRL-1"]
    forbidden_keys = {
        "patient_id",
        "record_key",
        "listed_at",
        "category_listed_at",
        "organization_id",
        "source",
        "archive_key",
        "message_key",
        "bucket",
        "key",
        "s3",
        "result_id",
        "content_sha256",
    }
    forbidden_text = {record.archive_key, record.message_key, patient.patient_id, ORG}

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                assert key not in forbidden_keys, key
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            assert value not in forbidden_text and not value.startswith("inbound/"), value

    for item in all_records():
        walk(item.content)
