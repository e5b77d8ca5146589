"""Which medications a patient may ask to refill online, and why not: the rules (pure), the
portal's list of controlled substances, and what a sender's MedicationRequest says (its schedule,
its "not refillable online" mark, its validity period, its prescription id and RxNorm code)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime

import pytest

from chalicelib.interop.fhir import read_fhir
from chalicelib.interop.fhir.entries import NOT_REFILLABLE_ONLINE_EXTENSION, SCHEDULE_EXTENSION
from chalicelib.refills.controlled import controlled_substances
from chalicelib.refills.domain import Medication, Reason, eligibility, explanation, schedule_of
from chalicelib.refills.service import _local_day
from tests.conftest import SAMPLES_DIR

TODAY = date(2026, 12, 5)


def medication(**changes) -> Medication:
    base = {
        "medication_id": "a" * 32,
        "name": "Lisinopril 10 mg tablet",
        "status": "active",
        "refills_allowed": 3,
        "expires_on": "2027-06-30",
    }
    return Medication(**{**base, **changes})


def reason_of(**changes) -> Reason | None:
    return eligibility(medication(**changes), controlled_substances(), TODAY).reason


def test_an_active_prescription_with_refills_left_may_be_refilled_online():
    verdict = eligibility(medication(), controlled_substances(), TODAY)
    assert (verdict.can_request, verdict.reason, verdict.schedule) == (True, None, "")


def test_a_prescription_without_a_validity_period_or_a_refill_count_may_be_refilled():
    assert reason_of(expires_on="", refills_allowed=None) is None


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"schedule": "II"}, Reason.CONTROLLED_SUBSTANCE),
        ({"name": "Oxycodone hydrochloride 5 MG Oral Tablet"}, Reason.CONTROLLED_SUBSTANCE),
        ({"name": "Xanax", "rxnorm": ("596",)}, Reason.CONTROLLED_SUBSTANCE),
        ({"not_refillable_online": True}, Reason.NOT_REFILLABLE_ONLINE),
        ({"expires_on": "2026-12-04"}, Reason.EXPIRED),
        ({"refills_allowed": 0}, Reason.NO_REFILLS),
        ({"status": "stopped"}, Reason.NOT_ACTIVE),
        ({"status": "on-hold"}, Reason.NOT_ACTIVE),
        ({"reported_by_patient": True}, Reason.REPORTED_BY_PATIENT),
    ],
)
def test_each_reason_a_medication_cannot_be_refilled_online(changes, reason):
    assert reason_of(**changes) is reason


def test_a_prescription_is_good_through_the_last_day_of_its_validity_period():
    assert reason_of(expires_on="2026-12-05") is None
    assert reason_of(expires_on="2026-12-04") is Reason.EXPIRED


def test_the_day_is_the_organizations_so_a_prescription_lasts_until_its_midnight_there():
    # 03:00 UTC on 6 December is still 5 December in Albany
    late_evening = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    assert _local_day("America/New_York", late_evening) == date(2026, 12, 5)
    assert _local_day("Not/A_Zone", late_evening) == date(2026, 12, 6)


def test_a_waiting_request_is_said_last_and_names_the_request():
    verdict = eligibility(medication(), controlled_substances(), TODAY, "b" * 32)
    assert (verdict.can_request, verdict.reason, verdict.pending_request_id) == (
        False,
        Reason.REQUEST_PENDING,
        "b" * 32,
    )
    # a reason the patient can act on (call) comes before "it waits"
    assert eligibility(medication(schedule="IV"), controlled_substances(), TODAY, "b" * 32).reason is (
        Reason.CONTROLLED_SUBSTANCE
    )


def test_the_stricter_of_the_senders_schedule_and_the_portals_list_is_shown():
    assert (
        eligibility(medication(name="Oxycodone 5 mg", schedule="IV"), controlled_substances(), TODAY).schedule == "II"
    )
    assert eligibility(medication(name="Tramadol 50 mg", schedule=""), controlled_substances(), TODAY).schedule == "IV"


def test_an_ingredient_is_matched_as_a_whole_word_only():
    # hydromorphone is listed in its own right; "morphine" alone must not be read into it
    assert controlled_substances().schedule(medication(name="Hydromorphone 2 mg")) == "II"
    assert controlled_substances().schedule(medication(name="Lisinopril 10 mg")) == ""
    assert controlled_substances().schedule(medication(name="Somatropin 5 mg injection")) == ""  # not "Soma"


@pytest.mark.parametrize(
    "name, schedule",
    [
        ("Dihydrocodeine-free cough syrup", "II"),  # the name says dihydrocodeine: better a call than a mistake
        ("Clobazam 10 mg tablet", "IV"),
        ("Midazolam 5 mg/mL nasal spray", "IV"),
        ("Norco 5-325 tablet", "II"),
        ("Adderall XR 20 mg capsule", "II"),
        ("XANAX 0.5 MG Oral Tablet", "IV"),
        ("Suboxone 8 mg/2 mg film", "III"),
        ("Ambien 10 mg", "IV"),
        ("Percocet 5/325", "II"),
        ("Lyrica 75 mg", "V"),
    ],
)
def test_controlled_substances_sent_by_brand_or_less_common_ingredient_are_recognised(name, schedule):
    assert reason_of(name=name) is Reason.CONTROLLED_SUBSTANCE
    assert eligibility(medication(name=name), controlled_substances(), TODAY).schedule == schedule


@pytest.mark.parametrize(
    "sent, read",
    [
        ("II", "II"),
        ("C-II", "II"),
        ("CIV", "IV"),
        ("3", "III"),
        ("Schedule V", "V"),
        ("II-N", "II"),
        ("2N", "II"),
        ("3N", "III"),
        ("CII-N", "II"),
        ("CS-II", "II"),
        ("Schedule II (narcotic)", "II"),
        ("", ""),
    ],
)
def test_a_senders_schedule_is_read_as_they_write_it(sent, read):
    assert schedule_of(sent) == read


@pytest.mark.parametrize("sent", ["I", "VI", "Schedule I", "controlled", "CVI"])
def test_a_schedule_mark_the_portal_cannot_read_still_refuses_the_online_refill(sent):
    verdict = eligibility(medication(schedule=schedule_of(sent)), controlled_substances(), TODAY)
    assert (verdict.can_request, verdict.reason, verdict.schedule) == (False, Reason.CONTROLLED_SUBSTANCE, "")
    assert explanation(verdict.reason, verdict.schedule) == (
        "This medication is a controlled substance; refills cannot be requested online. Please call your care team."
    )


@pytest.mark.parametrize(
    "changes",
    [{"intent": "plan"}, {"intent": "proposal"}, {"intent": "option"}, {"do_not_perform": True}],
)
def test_a_plan_a_proposal_or_an_instruction_not_to_take_it_is_not_a_prescription_to_refill(changes):
    assert reason_of(**changes) is Reason.NOT_A_PRESCRIPTION


@pytest.mark.parametrize("intent", ["order", "original-order", "filler-order", "instance-order", ""])
def test_an_order_may_be_refilled(intent):
    assert reason_of(intent=intent) is None


def test_a_patient_the_clinical_systems_cannot_name_is_told_to_call_instead_of_being_offered_a_request():
    verdict = eligibility(medication(), controlled_substances(), TODAY, identified=False)
    assert (verdict.can_request, verdict.reason) == (False, Reason.PATIENT_NOT_IDENTIFIED)


def test_the_controlled_substance_refusal_says_the_schedule_and_what_to_do():
    assert explanation(Reason.CONTROLLED_SUBSTANCE, "II") == (
        "This medication is a controlled substance (Schedule II); refills cannot be requested online. "
        "Please call your care team."
    )
    for reason in Reason:
        assert explanation(reason, "IV").endswith(".")


# -- what a sender's MedicationRequest says -------------------------------------------------------


def _request() -> dict:
    return json.loads((SAMPLES_DIR / "fhir" / "uscore_medicationrequest-contained-oral-axid.json").read_bytes())


def _read(resource_or_bundle: dict) -> Medication:
    [message] = read_fhir(resource_or_bundle)
    [entry] = message.entries
    return Medication.from_entry("c" * 32, entry.content)


def test_the_validity_period_prescription_id_and_rxnorm_code_are_kept():
    request = _request()
    request["dispenseRequest"]["validityPeriod"] = {"start": "2026-01-01", "end": "2027-01-01T00:00:00Z"}
    request["identifier"] = [{"system": "urn:oid:1.2.3.4", "value": "RX-77"}]
    request["medicationCodeableConcept"] = {
        "coding": [
            {"system": "http://hl7.org/fhir/sid/ndc", "code": "0002-1234-01"},
            {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "314076", "display": "lisinopril"},
        ]
    }
    del request["medicationReference"]

    read = _read(request)

    assert read.expires_on == "2027-01-01"
    assert (read.prescription_system, read.prescription_value) == ("urn:oid:1.2.3.4", "RX-77")
    assert read.rxnorm == ("314076",)


def test_the_senders_schedule_and_online_mark_are_read_from_the_request():
    request = _request()
    request["extension"] = [
        {"url": SCHEDULE_EXTENSION, "valueCodeableConcept": {"coding": [{"code": "CII"}]}},
        {"url": NOT_REFILLABLE_ONLINE_EXTENSION, "valueBoolean": True},
    ]
    read = _read(request)
    assert (read.schedule, read.not_refillable_online) == ("II", True)


def test_the_online_mark_may_be_a_meta_tag():
    request = _request()
    request["meta"] = {"tag": [{"system": "urn:patient-portal:fhir:tag", "code": "not-refillable-online"}]}
    assert _read(request).not_refillable_online is True


def test_a_schedule_marked_on_the_medication_it_refers_to_counts():
    request = _request()
    medication = copy.deepcopy(request.pop("contained")[0])
    medication["id"] = "axid"
    medication["extension"] = [{"url": SCHEDULE_EXTENSION, "valueCode": "IV"}]
    request["medicationReference"] = {"reference": "Medication/axid"}
    patient = json.loads((SAMPLES_DIR / "fhir" / "uscore_patient-example.json").read_bytes())
    document = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"https://example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
            for r in (patient, request, medication)
        ],
    }
    assert _read(document).schedule == "IV"


def test_an_unmarked_request_is_neither_controlled_nor_marked():
    read = _read(_request())
    assert (read.schedule, read.not_refillable_online, read.expires_on) == ("", False, "")


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"intent": "plan"}, Reason.NOT_A_PRESCRIPTION),
        ({"intent": "proposal"}, Reason.NOT_A_PRESCRIPTION),
        ({"doNotPerform": True}, Reason.NOT_A_PRESCRIPTION),
        ({"reportedReference": {"reference": "Patient/example"}}, Reason.REPORTED_BY_PATIENT),
        ({"intent": "original-order"}, None),
    ],
)
def test_a_medication_request_that_is_not_this_clinics_prescription_cannot_be_refilled(changes, reason):
    request = _request()
    request["dispenseRequest"]["validityPeriod"] = {"end": "2099-01-01"}
    request.update(changes)
    read = _read(request)
    assert eligibility(read, controlled_substances(), TODAY).reason is reason
