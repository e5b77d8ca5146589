"""feeds.lanes: which records of a batch are filed side by side and which wait for each other."""

from __future__ import annotations

import json

from chalicelib.feeds.lanes import keys_of, lanes


def oru(control: str, mrn: str, order: str, separators: str = "|^~\\&") -> str:
    field, component = separators[0], separators[1]
    return "\r".join(
        [
            f"MSH{separators}{field}LAB{field}AMC{field}PORTAL{field}AMC{field}20240301120000{field}{field}"
            f"ORU{component}R01{field}{control}{field}P{field}2.5.1",
            f"PID{field}1{field}{field}{mrn}{component}{component}{component}AMC-MRN{field}{field}Doe{component}Jane",
            f"OBR{field}1{field}{field}{order}{component}LAB{field}2093-3{component}Cholesterol{component}LN",
        ]
    )


def positions(records: list[tuple[str, str]]) -> list[tuple[int, ...]]:
    return [lane.positions for lane in lanes(records)]


def test_one_patients_messages_share_a_lane_in_queue_order_and_other_patients_have_their_own():
    records = [
        ("LAB", oru("C-1", "P-1", "F-1")),
        ("LAB", oru("C-2", "P-2", "F-2")),
        ("LAB", oru("C-3", "P-1", "F-3")),  # Jane again, another order
        ("LAB", oru("C-4", "P-3", "F-4")),
    ]

    assert positions(records) == [(0, 2), (1,), (3,)]


def test_a_record_filed_for_two_patients_joins_their_lanes():
    # a correction names the order of another patient's result (a result moved to its right patient)
    records = [
        ("LAB", oru("C-1", "P-1", "F-1")),
        ("LAB", oru("C-2", "P-2", "F-2")),
        ("LAB", oru("C-3", "P-2", "F-1")),
        ("LAB", oru("C-4", "P-3", "F-4")),
    ]

    assert positions(records) == [(0, 1, 2), (3,)]


def test_a_merge_joins_the_surviving_and_the_merged_patient():
    merge = "\r".join(
        [
            "MSH|^~\\&|ADT|AMC|PORTAL|AMC|20240301120000||ADT^A40|M-1|P|2.5.1",
            "PID|1||P-1^^^AMC-MRN||Doe^Jane",
            "MRG|P-9^^^AMC-MRN",
        ]
    )
    records = [("ADT", oru("C-1", "P-9", "F-1")), ("ADT", merge), ("ADT", oru("C-2", "P-1", "F-2"))]

    assert positions(records) == [(0, 1, 2)]


def test_the_senders_own_separators_are_read():
    assert keys_of(oru("C-1", "P-1", "F-1", separators="#$*%@")) >= {"P-1", "F-1"}


def test_a_body_whose_patients_cannot_be_read_orders_its_whole_sender_but_not_others():
    records = [
        ("LAB", oru("C-1", "P-1", "F-1")),
        ("LAB", '{"s3": {"bucket": "archive", "key": "claim-checks/1"}}'),  # a claim check
        ("LAB", oru("C-2", "P-2", "F-2")),
        ("EHR", oru("C-3", "P-3", "F-3")),
    ]

    assert positions(records) == [(0, 1, 2), (3,)]


def test_the_same_identifier_from_two_senders_is_two_lanes():
    # (different senders never shared an order: their message groups are apart on the queue)
    assert positions([("LAB", oru("C-1", "P-1", "F-1")), ("EHR", oru("C-1", "P-1", "F-1"))]) == [(0,), (1,)]


def test_fhir_resources_about_one_patient_share_a_lane():
    patient = {"resourceType": "Patient", "id": "jane", "identifier": [{"system": "urn:mrn", "value": "P-1"}]}
    observation = {"resourceType": "Observation", "id": "o-1", "subject": {"reference": "Patient/jane"}}
    other = {"resourceType": "Observation", "id": "o-2", "subject": {"reference": "Patient/john"}}
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [{"resource": {**patient, "id": "jane-2"}}],  # her identifier, another id
    }
    records = [("EHR", json.dumps(r)) for r in (patient, other, observation, bundle)]

    assert positions(records) == [(0, 2, 3), (1,)]


def test_a_fhir_resource_naming_no_patient_orders_its_sender():
    assert keys_of(json.dumps({"resourceType": "Bundle", "type": "transaction"})) is None
    assert keys_of("not a message") is None


def test_two_messages_with_one_control_id_share_a_lane_whatever_patients_they_name():
    # (intake keeps a control id to the first message that used it: the queue's first, never a
    # race between lanes)
    records = [("EHR", oru("C-1", "P-1", "F-1")), ("EHR", oru("C-2", "P-3", "F-3")), ("EHR", oru("C-1", "P-2", "F-2"))]

    assert positions(records) == [(0, 2), (1,)]


def test_a_message_identity_alone_names_no_patient():
    header_only = "MSH|^~\\&|LAB|AMC|PORTAL|AMC|20240301120000||ORU^R01|C-1|P|2.5.1"

    assert keys_of(header_only) is None
    assert keys_of(json.dumps({"resourceType": "Bundle", "id": "b-1", "type": "transaction"})) is None


def test_records_resolved_to_one_chart_patient_share_a_lane_and_an_unresolved_one_orders_its_sender():
    records = [
        ("ADT", oru("C-1", "P-2", "F-1")),  # a merged-away number
        ("ADT", oru("C-2", "P-3", "F-2")),
        ("ADT", oru("C-3", "P-1", "F-3")),  # the survivor's
        ("ADT", oru("C-4", "P-4", "F-4")),  # a new patient: nobody claims P-4 yet
    ]
    charts = [frozenset({"jane"}), frozenset({"john"}), frozenset({"jane"}), frozenset()]

    assert [lane.positions for lane in lanes(records, charts)] == [(0, 2), (1,), (3,)]
    assert [lane.positions for lane in lanes(records, [*charts[:3], None])] == [(0, 1, 2, 3)]


def test_a_fhir_reference_by_its_identifier_alone_joins_the_patients_lane():
    registered = oru("C-1", "P-1", "F-1")
    allergy = {
        "resourceType": "AllergyIntolerance",
        "id": "a-1",
        "patient": {"identifier": {"system": "AMC-MRN", "value": "P-1"}},  # no reference, no type
    }
    records = [("EHR", registered), ("EHR", oru("C-2", "P-2", "F-2")), ("EHR", json.dumps(allergy))]

    assert positions(records) == [(0, 2), (1,)]
