"""The rest of a health record (allergies, conditions, medications, immunizations, visits,
appointments) and documents, read from the real public FHIR and HL7 v2 samples as the patient
will be shown them. No AWS: the readers only."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from chalicelib.feeds.envelope import read_messages
from chalicelib.interop.fhir import read_fhir
from chalicelib.interop.hl7v2 import read_hl7
from chalicelib.records.domain import ENTRY_KINDS, FHIR_ID_AUTHORITY, ResultStatus, Unreadable
from tests.conftest import SAMPLES_DIR

FHIR_DIR = SAMPLES_DIR / "fhir"
HL7_DIR = SAMPLES_DIR / "hl7v2"


# -- helpers ----------------------------------------------------------------------------------------


def sample(name: str) -> dict:
    return json.loads((FHIR_DIR / name).read_bytes())


def allergy_resource() -> dict:
    """The AllergyIntolerance of the US Core searchset sample (without its Provenance)."""
    return copy.deepcopy(sample("uscore_allergyintolerance-provenance-example1.json")["entry"][0]["resource"])


def bundle(*resources: dict) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"https://example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r} for r in resources
        ],
    }


def only(messages):
    [message] = messages
    return message


def only_entry(document: dict):
    message = only(read_fhir(document))
    [entry] = message.entries
    return message, entry


def reason(document: dict) -> str:
    with pytest.raises(Unreadable) as caught:
        read_fhir(document)
    return str(caught.value)


def hl7(name: str, **replace: str):
    """A sample message, with text replaced (old=new given as a dict through **replace)."""
    text = (HL7_DIR / name).read_bytes()
    for old, new in replace.items():
        text = text.replace(old.encode(), new.encode())
    [envelope] = read_messages(text)
    return read_hl7(envelope.text)


def hl7_text(*segments: str):
    return read_hl7("\r".join(segments))


def pv1(visit: str = "V-77", admitted: str = "20240301080000", discharged: str = "20240304153000") -> str:
    fields = {1: "1", 2: "I", 3: "4W^401^A^AMC", 19: visit, 44: admitted, 45: discharged}
    return "|".join(["PV1"] + [fields.get(n, "") for n in range(1, 46)])


def referred_to_example(message) -> None:
    """The message names its patient only by the sender's FHIR id "example": filing must find it."""
    assert message.patient.reference_only is True
    assert [(i.spelled, i.value) for i in message.patient.identifiers] == [(FHIR_ID_AUTHORITY, "example")]


# -- allergies --------------------------------------------------------------------------------------


def test_an_allergy_shows_its_substance_criticality_and_reactions():
    message, allergy = only_entry(sample("uscore_allergyintolerance-provenance-example1.json"))

    assert message.kind == "records" and message.results == ()
    referred_to_example(message)
    assert message.extra["ignored"] == {"Provenance": 1}
    assert (allergy.kind, allergy.source_id, allergy.withdrawn) == ("allergy", "AllergyIntolerance/79613", False)
    assert allergy.content["substance"] == {
        "display": "Peanuts",
        "code": "762952008",
        "system": "http://snomed.info/sct",
    }
    assert allergy.content["criticality"] == "high"
    assert [r["manifestations"] for r in allergy.content["reactions"]] == [["Hives"]]
    assert (allergy.content["clinical_status"], allergy.content["verification_status"]) == ("active", "confirmed")
    assert allergy.content["categories"] == ["medication"]
    assert allergy.occurred_at == "2017-06-09"  # no recordedDate: listed by its onset
    assert "notes" not in allergy.content  # nothing empty is shown


def test_an_allergy_in_a_bundle_with_its_patient_is_about_that_patient():
    message, allergy = only_entry(bundle(sample("uscore_patient-example.json"), allergy_resource()))

    assert message.patient.reference_only is False
    assert message.patient.family_name == "Baxter"
    assert allergy.content["substance"]["display"] == "Peanuts"


def test_a_patient_named_by_a_logical_identifier_is_referred_to_under_that_authority():
    resource = allergy_resource()
    resource["patient"] = {"identifier": {"system": "urn:oid:1.2.3", "value": "MRN-9"}}

    message, _ = only_entry(resource)

    assert message.patient.reference_only is True
    assert [(i.spelled, i.value) for i in message.patient.identifiers] == [("urn:oid:1.2.3", "MRN-9")]


@pytest.mark.parametrize("verification", ["entered-in-error"])
def test_an_allergy_entered_in_error_is_withdrawn(verification):
    resource = allergy_resource()
    resource["verificationStatus"]["coding"][0]["code"] = verification

    _, allergy = only_entry(resource)

    assert allergy.withdrawn is True
    assert allergy.source_id == "AllergyIntolerance/79613"  # the same entry: it takes the earlier one back


# -- medications ------------------------------------------------------------------------------------


def test_a_prescription_of_a_contained_medication_shows_the_medication_by_name():
    message, medication = only_entry(sample("uscore_medicationrequest-contained-oral-axid.json"))

    referred_to_example(message)
    assert medication.kind == "medication"
    assert medication.content["medication"] == {
        "display": "Nizatidine 15 MG/ML Oral Solution [Axid]",
        "code": "582620",
        "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
    }
    assert medication.content["dosage"] == ["10 mL bid"]
    assert medication.content["reported_by_patient"] is False
    assert (medication.content["status"], medication.content["intent"]) == ("active", "order")
    assert medication.content["prescriber"] == "Ronald Bone, MD"
    assert medication.content["reasons"] == ["Active Duodenal Ulcer"]
    assert medication.content["refills_allowed"] == 1
    assert medication.occurred_at == "2008-04-05"


def test_a_self_reported_medication_is_flagged_and_keeps_its_dosage_text():
    message, medication = only_entry(sample("uscore_medicationrequest-self-tylenol.json"))

    referred_to_example(message)
    assert medication.content["reported_by_patient"] is True
    assert medication.content["medication"]["display"] == "Tylenol PM Pill"
    assert medication.content["dosage"] == ["Takes 1-2 tablets once daily at bedtime as needed for restless legs"]
    assert medication.content["reasons"] == ["Headache"]
    assert medication.source_id == "12345689"  # its identifier with a system: stable across updates
    assert "refills_allowed" not in medication.content


def test_a_medication_in_the_bundle_is_resolved_by_reference():
    request = sample("uscore_medicationrequest-contained-oral-axid.json")
    medication = request.pop("contained")[0]
    medication["id"] = "axid"
    request["medicationReference"] = {"reference": "Medication/axid"}  # no display: the name comes from it

    _, entry = only_entry(bundle(sample("uscore_patient-example.json"), request, medication))

    assert entry.content["medication"]["display"] == "Nizatidine 15 MG/ML Oral Solution [Axid]"


def test_a_medication_reference_to_nothing_in_the_document_shows_its_display_only():
    request = sample("uscore_medicationrequest-contained-oral-axid.json")
    del request["contained"]
    request["medicationReference"] = {"reference": "Medication/elsewhere", "display": "Axid oral solution"}

    _, entry = only_entry(request)

    assert entry.content["medication"] == {"display": "Axid oral solution"}


def test_a_prescription_about_a_group_is_unreadable_with_a_reason_that_names_the_element():
    request = sample("uscore_medicationrequest-self-tylenol.json")
    request["subject"] = {"reference": "Group/ward-7-residents"}

    text = reason(request)

    assert "MedicationRequest subject" in text and "Patient" in text
    assert "ward-7" not in text  # never a value of the document


def test_a_prescription_without_a_subject_is_unreadable():
    request = sample("uscore_medicationrequest-self-tylenol.json")
    del request["subject"]

    assert "MedicationRequest" in reason(request) and "subject" in reason(request)


def test_a_prescription_entered_in_error_is_withdrawn():
    request = sample("uscore_medicationrequest-self-tylenol.json")
    request["status"] = "entered-in-error"

    _, entry = only_entry(request)

    assert entry.withdrawn is True and entry.source_id == "12345689"


# -- visits (FHIR Encounter) ---------------------------------------------------------------------------


def test_an_encounter_is_a_visit_with_its_status_class_location_and_disposition():
    message, visit = only_entry(sample("uscore_encounter-1036.json"))

    referred_to_example(message)
    assert (visit.kind, visit.source_id, visit.withdrawn) == ("visit", "Encounter/1036", False)
    assert visit.content["status"] == "in-progress"
    assert visit.content["class"] == "inpatient encounter"
    assert visit.content["locations"] == ["Holy Family Hospital"]
    assert visit.content["discharge_disposition"] == "Discharged to Home"
    assert "started_at" not in visit.content and visit.occurred_at == ""  # the sample has no period


def test_an_encounter_with_a_period_gives_its_start_and_end():
    encounter = sample("uscore_encounter-1036.json")
    encounter["status"] = "finished"
    encounter["period"] = {"start": "2024-03-01T08:00:00Z", "end": "2024-03-04T15:30:00Z"}

    _, visit = only_entry(encounter)

    assert (visit.content["started_at"], visit.content["ended_at"]) == ("2024-03-01T08:00:00Z", "2024-03-04T15:30:00Z")
    assert visit.occurred_at == "2024-03-01T08:00:00Z" and visit.content["status"] == "finished"


def test_an_encounter_entered_in_error_is_withdrawn():
    encounter = sample("uscore_encounter-1036.json")
    encounter["status"] = "entered-in-error"

    assert only_entry(encounter)[1].withdrawn is True


# -- appointments (FHIR) ----------------------------------------------------------------------------


def test_an_appointment_finds_its_patient_and_lists_who_else_takes_part():
    message, appointment = only_entry(sample("r4spec_appointment-example.json"))

    referred_to_example(message)
    assert (appointment.kind, appointment.source_id) == ("appointment", "Appointment/example")
    content = appointment.content
    assert (content["status"], content["starts_at"], content["ends_at"]) == (
        "booked",
        "2013-12-10T09:00:00Z",
        "2013-12-10T11:00:00Z",
    )
    assert "Dr Adam Careful" in content["with"]
    assert "Peter James Chalmers" not in content["with"]  # the patient does not meet themselves
    assert content["description"] == "Discussion on the results of your recent MRI"
    assert content["services"] == ["General Discussion"] and content["specialties"] == ["General practice"]
    assert appointment.occurred_at == "2013-12-10T09:00:00Z"


def test_an_appointment_with_two_patients_is_unreadable():
    appointment = sample("r4spec_appointment-example.json")
    appointment["participant"].append({"actor": {"reference": "Patient/someone-else"}, "status": "accepted"})

    text = reason(appointment)

    assert "more than one Patient participant" in text and "someone-else" not in text


def test_an_appointment_without_a_patient_is_unreadable():
    appointment = sample("r4spec_appointment-example.json")
    appointment["participant"] = appointment["participant"][1:]

    assert "Appointment has no participant" in reason(appointment)


def test_an_appointment_entered_in_error_is_withdrawn():
    appointment = sample("r4spec_appointment-example.json")
    appointment["status"] = "entered-in-error"

    assert only_entry(appointment)[1].withdrawn is True


def test_a_cancelled_appointment_is_not_withdrawn_it_says_cancelled():
    appointment = sample("r4spec_appointment-example.json")
    appointment["status"] = "cancelled"
    appointment["cancelationReason"] = {"text": "Clinic closed"}

    _, entry = only_entry(appointment)

    assert (entry.withdrawn, entry.content["status"]) == (False, "cancelled")


# -- Synthea: immunizations, conditions, visits, medications -----------------------------------------


@pytest.fixture(scope="module")
def synthea():
    return only(read_fhir(sample("synthea_Alberto_Atencio.json")))


def test_synthea_immunizations_give_vaccine_names_and_dates(synthea):
    shots = [
        (e.content["vaccine"]["display"], e.content["occurred_at"][:10], e.content["status"])
        for e in synthea.entries
        if e.kind == "immunization"
    ]

    assert ("Influenza, seasonal, injectable, preservative free", "2012-02-27", "completed") in shots
    assert ("Td (adult) preservative free", "2016-03-07", "completed") in shots
    assert ("Hep B, adult", "2016-03-07", "completed") in shots
    assert ("meningococcal MCV4P", "2016-03-07", "completed") in shots
    assert len(shots) == 7
    assert all(
        e.content["vaccine"]["system"] == "http://hl7.org/fhir/sid/cvx"
        for e in synthea.entries
        if e.kind == "immunization"
    )


def test_synthea_conditions_medications_and_visits(synthea):
    conditions = {e.content["condition"]["display"]: e for e in synthea.entries if e.kind == "condition"}
    assert set(conditions) == {"Seizure disorder", "History of single seizure (situation)", "Epilepsy"}
    epilepsy = conditions["Epilepsy"]
    assert (epilepsy.content["clinical_status"], epilepsy.content["onset"][:10]) == ("active", "2007-06-04")
    assert epilepsy.occurred_at.startswith("2007-06-04")

    medications = {e.content["medication"]["display"] for e in synthea.entries if e.kind == "medication"}
    assert medications == {"Clonazepam [Klonopin]", "Carbamazepine[Tegretol]"}

    visits = [e for e in synthea.entries if e.kind == "visit"]
    assert len(visits) == 6 and all(v.content["status"] == "finished" and v.content["ended_at"] for v in visits)
    assert synthea.patient.reference_only is False
    assert {e.kind for e in synthea.entries} <= set(ENTRY_KINDS)


def test_every_entry_has_a_distinct_source_id_so_none_replaces_another(synthea):
    ids = [(e.kind, e.source_id) for e in synthea.entries]
    assert len(ids) == len(set(ids))


def synthea_resource(resource_type: str) -> dict:
    document = sample("synthea_Alberto_Atencio.json")
    patient = next(e for e in document["entry"] if e["resource"]["resourceType"] == "Patient")
    chosen = next(e for e in document["entry"] if e["resource"]["resourceType"] == resource_type)
    return {**document, "entry": [patient, chosen]}


@pytest.mark.parametrize(
    "resource_type, element, value",
    [
        (
            "Condition",
            "verificationStatus",
            {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "entered-in-error"}
                ]
            },
        ),
        ("Immunization", "status", "entered-in-error"),
        ("MedicationRequest", "status", "entered-in-error"),
        ("Encounter", "status", "entered-in-error"),
    ],
)
def test_synthea_entries_entered_in_error_are_withdrawn(resource_type, element, value):
    document = synthea_resource(resource_type)
    original = only_entry(copy.deepcopy(document))[1]
    document["entry"][1]["resource"][element] = value

    _, entry = only_entry(document)

    assert (original.withdrawn, entry.withdrawn) == (False, True)
    assert entry.source_id == original.source_id


# -- documents (FHIR DocumentReference) ---------------------------------------------------------------


def test_a_discharge_summary_document_reference_is_a_document_with_its_file_and_visit():
    raw = sample("uscore_documentreference-discharge-summary.json")
    expected = base64.b64decode(raw["content"][0]["attachment"]["data"])

    message = only(read_fhir(raw))

    referred_to_example(message)
    [document] = message.results
    assert message.entries == ()
    assert document.is_document is True
    assert (document.code.code, document.code.display) == ("18842-5", "Discharge Summary")
    assert document.status is ResultStatus.FINAL
    assert document.visit_id == "Encounter/example-1"
    assert document.discharged_at == ""  # the Encounter is not in the document: filing looks it up
    [attached] = document.observations
    assert attached.value_type == "document"
    assert attached.document.data == expected and attached.document.data.startswith(b"No activity restriction")
    assert attached.document.content_type == "text/plain"


def test_a_discharge_summary_with_its_encounter_in_the_bundle_knows_the_discharge_time():
    document = sample("uscore_documentreference-discharge-summary.json")
    encounter = sample("uscore_encounter-1036.json")
    encounter.update(
        id="example-1", status="finished", period={"start": "2024-03-01T08:00:00Z", "end": "2024-03-04T15:30:00Z"}
    )

    message = only(read_fhir(bundle(sample("uscore_patient-example.json"), encounter, document)))

    [summary] = message.results
    assert (summary.visit_id, summary.discharged_at) == ("Encounter/example-1", "2024-03-04T15:30:00Z")
    [visit] = message.entries
    assert visit.source_id == summary.visit_id  # the same name for the visit, so filing can find it


def test_a_document_reference_entered_in_error_is_cancelled():
    document = sample("uscore_documentreference-discharge-summary.json")
    document["status"] = "entered-in-error"

    [summary] = only(read_fhir(document)).results

    assert summary.status is ResultStatus.CANCELLED


def test_a_preliminary_document_pointed_at_by_url_is_kept_as_a_pointer_never_fetched():
    message = only(read_fhir(sample("r4spec_documentreference-example.json")))

    [document] = message.results
    assert document.is_document and document.status is ResultStatus.PRELIMINARY
    [pointer] = document.observations
    assert pointer.value_type == "pointer"
    assert pointer.pointer == "http://example.org/xds/mhd/Binary/07a6483f-732b-461e-86b6-edb665c45510"
    assert document.visit_id == "Encounter/xcda"


def test_a_document_reference_with_malformed_data_is_unreadable():
    document = sample("uscore_documentreference-discharge-summary.json")
    document["content"][0]["attachment"]["data"] = "not*base64!"

    text = reason(document)
    assert "DocumentReference" in text and "attachment.data" in text and "not*base64" not in text


# -- HL7 v2: visits from ADT ----------------------------------------------------------------------------


def test_an_admission_gives_a_visit_kept_by_its_visit_number():
    message = hl7("lfh_ADT_A01_escaped-delims-junk_v2.6.hl7")

    [visit] = message.entries
    assert (visit.kind, visit.source_id) == ("visit", "visit@48390")
    assert visit.content["status"] == "in-progress"
    assert visit.content["started_at"] == "2014-09-12T22:00" == message.admitted_at
    assert visit.content["locations"] == ["yyy"]
    assert visit.content["clinicians"] == ["ATTEND_DOC_GIVEN_TEST ATTEND_DOC_FAMILY_TEST"]
    assert "ended_at" not in visit.content
    assert visit.occurred_at == "2014-09-12T22:00"


def test_an_admission_with_explicit_nulls_gives_an_inpatient_visit():
    [visit] = hl7("pyhl7_ADT_A01_explicit-nulls_v2.3.hl7").entries

    assert (visit.source_id, visit.content["status"], visit.content["class"]) == (
        "visit@01",
        "in-progress",
        "inpatient",
    )
    assert visit.content["started_at"] == "2014-02-10T22:53:00"


def test_a_discharge_gives_a_finished_visit_with_its_end_and_location():
    message = hl7("nhapi_ADT_A03_discharge_v2.5.hl7")

    [visit] = message.entries
    assert (visit.source_id, visit.content["status"], visit.content["class"]) == (
        "visit@2008003369",
        "finished",
        "inpatient",
    )
    assert visit.content["ended_at"] == "2008-03-03T15:08" == message.discharged_at
    assert visit.content["locations"] == ["6402DH MED. 1 - ONCOLOGIA"]


def test_an_admission_without_a_visit_number_gives_no_visit():
    message = hl7("hl7org_ADT_A01_base-standard_v2.8.hl7")

    assert message.kind == "demographics" and message.entries == ()


def test_a_built_discharge_has_admission_and_discharge_times():
    message = hl7_text(
        "MSH|^~\\&|ADT|AMC|PORTAL|AMC|20240304153000||ADT^A03|c-1|P|2.5.1",
        "PID|1||MRN-1^^^AMC-MRN^MR||Doe^Jane||19800102|F",
        pv1(),
    )

    [visit] = message.entries
    assert visit.source_id == "visit@V-77"
    assert (visit.content["started_at"], visit.content["ended_at"]) == ("2024-03-01T08:00:00", "2024-03-04T15:30:00")
    assert visit.content["status"] == "finished" and visit.content["locations"] == ["4W 401 A AMC"]


# -- HL7 v2: appointments from SIU ----------------------------------------------------------------------


def test_a_new_appointment_has_its_times_length_and_who_it_is_with():
    message = hl7("hl7org_SIU_S12_new-appointment_v2.3.hl7")

    assert (message.kind, message.event) == ("appointment", "S12")
    [appointment] = message.entries
    assert (appointment.kind, appointment.source_id, appointment.withdrawn) == (
        "appointment",
        "appointment@13030",
        False,
    )
    content = appointment.content
    assert (content["starts_at"], content["ends_at"], content["minutes"]) == (
        "2019-04-23T14:00:00",
        "2019-04-23T14:15:00",
        15,
    )
    assert content["status"] == "booked"
    assert content["with"] == ["Jeri Pullen"]
    assert appointment.occurred_at == "2019-04-23T14:00:00"


def test_a_changed_appointment_has_its_filler_status_and_length():
    message = hl7("corepoint_SIU_S14_v2.3.hl7")

    assert message.event == "S14"
    [appointment] = message.entries
    assert appointment.source_id == "appointment@00331839401"
    assert (appointment.content["starts_at"], appointment.content["minutes"]) == ("2008-03-06T10:00", 20)
    assert appointment.content["status"] == "arrived"  # SCH-25 ARRIVED
    assert appointment.content["type"] == "HEALTHCHECK ANY AGE"
    assert appointment.content["with"] == ["LISAPORTER"]


def test_a_cancelled_appointment_says_cancelled_and_stays_on_the_record():
    message = hl7("hl7org_SIU_S12_new-appointment_v2.3.hl7", **{"SIU^S12": "SIU^S15"})

    [appointment] = message.entries
    assert (appointment.source_id, appointment.content["status"], appointment.withdrawn) == (
        "appointment@13030",
        "cancelled",
        False,
    )


def test_a_deleted_appointment_is_withdrawn():
    message = hl7("hl7org_SIU_S12_new-appointment_v2.3.hl7", **{"SIU^S12": "SIU^S17"})

    [appointment] = message.entries
    assert (appointment.source_id, appointment.withdrawn) == ("appointment@13030", True)


def test_a_no_show_says_so():
    [appointment] = hl7("hl7org_SIU_S12_new-appointment_v2.3.hl7", **{"SIU^S12": "SIU^S26"}).entries

    assert appointment.content["status"] == "noshow"


def test_an_appointment_message_without_a_schedule_segment_is_unreadable():
    with pytest.raises(Unreadable, match="no SCH segment"):
        hl7_text(
            "MSH|^~\\&|SCHED|AMC|PORTAL|AMC|20240304153000||SIU^S12|c-1|P|2.5.1",
            "PID|1||MRN-1^^^AMC-MRN^MR||Doe^Jane||19800102|F",
        )


# -- HL7 v2: documents (MDM) and their visit ------------------------------------------------------------


def test_a_document_names_its_visit_by_the_visit_number():
    message = hl7("hl7org_MDM_T02_text-with-line-breaks_v2.3.1.hl7")

    [document] = message.results
    assert (document.visit_id, document.discharged_at) == ("visit@17872", "")


def test_a_document_with_an_embedded_pdf_names_its_visit_too():
    [document] = hl7("ms_MDM_T02_ED-pdf-empty_v2.8.hl7").results

    assert document.visit_id == "visit@10000001"


def test_a_document_whose_visit_ended_carries_the_discharge_time():
    message = hl7_text(
        "MSH|^~\\&|ADT|AMC|PORTAL|AMC|20240304153000||MDM^T02|c-1|P|2.5.1",
        "PID|1||MRN-1^^^AMC-MRN^MR||Doe^Jane||19800102|F",
        pv1(),
        "TXA|1|DS^Discharge summary|TX|20240304150000|||||||DOC-1^EHR|||||AU",
        "OBX|1|TX|DS^Discharge summary||Home today.||||||F",
    )

    [document] = message.results
    assert (document.visit_id, document.discharged_at) == ("visit@V-77", "2024-03-04T15:30:00")
    # and the visit number is the one the ADT message keeps the visit by
    adt = hl7_text(
        "MSH|^~\\&|ADT|AMC|PORTAL|AMC|20240304153000||ADT^A03|c-2|P|2.5.1",
        "PID|1||MRN-1^^^AMC-MRN^MR||Doe^Jane||19800102|F",
        pv1(),
    )
    assert adt.entries[0].source_id == document.visit_id


# -- what the readers get wrong (strict xfail: each passes once its bug is fixed) --------------------

PATIENT_URN = "urn:uuid:6f1c1b0e-2b7a-4c51-9d1e-3f2a1b0c9d8e"


def test_an_appointment_in_a_transaction_bundle_finds_its_patient_by_urn_uuid():
    appointment = sample("r4spec_appointment-example.json")
    appointment["participant"][0]["actor"] = {"reference": PATIENT_URN, "display": "Amy Baxter"}
    document = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": PATIENT_URN,
                "resource": sample("uscore_patient-example.json"),
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": "urn:uuid:1f1c1b0e-2b7a-4c51-9d1e-3f2a1b0c9d8e",
                "resource": appointment,
                "request": {"method": "POST", "url": "Appointment"},
            },
        ],
    }

    message, entry = only_entry(document)

    assert message.patient.family_name == "Baxter"
    assert entry.content["with"] == ["Dr Adam Careful"]
    assert entry.content["locations"] == ["South Wing, second floor"]


def test_the_patient_given_by_identifier_is_not_listed_as_someone_they_meet():
    appointment = sample("r4spec_appointment-example.json")
    appointment["participant"][0]["actor"] = {
        "type": "Patient",
        "identifier": {"system": "http://example.org/patient/identifiers", "value": "1032702"},
        "display": "Amy Baxter",
    }

    message, entry = only_entry(appointment)

    assert message.patient.identifiers[0].value == "1032702"  # (found as the patient: this part works)
    assert "Amy Baxter" not in entry.content["with"]


def test_a_document_names_an_earlier_encounter_by_the_id_the_visit_is_kept_by():
    encounter = sample("uscore_encounter-1036.json")
    encounter.update(id="example-1", identifier=[{"system": "urn:oid:1.2.3.4", "value": "V-2024-0001"}])
    _, visit = only_entry(encounter)

    [summary] = only(read_fhir(sample("uscore_documentreference-discharge-summary.json"))).results

    assert summary.visit_id == visit.source_id


def test_a_discharge_summary_with_its_display_is_filed_as_a_discharge_summary():
    from chalicelib.filing.documents import document_type

    [summary] = only(read_fhir(sample("uscore_documentreference-discharge-summary.json"))).results

    assert document_type(summary) == "discharge-summary"


def test_a_discharge_summary_typed_by_its_loinc_code_alone_is_a_discharge_summary():
    from chalicelib.filing.documents import document_type

    document = sample("uscore_documentreference-discharge-summary.json")
    document["type"] = {"coding": [{"system": "http://loinc.org", "code": "18842-5"}]}

    [summary] = only(read_fhir(document)).results

    assert document_type(summary) == "discharge-summary"
