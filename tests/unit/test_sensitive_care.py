"""What a proxy's scope shows: sensitive care by the sender's flags or the organization's code
lists, and items dated from the cutoff on, never; the patient's and staff's scopes everything."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.access.domain import PatientScope, Standing
from chalicelib.access.sensitivity import DEFAULT_LISTS, SensitiveLists, is_sensitive, lists_of
from chalicelib.access.visibility import Visibility, moment
from chalicelib.accounts.domain import Organization
from chalicelib.errors import ValidationFailed

NEW_YORK = ZoneInfo("America/New_York")
CUTOFF = datetime(2030, 5, 1, tzinfo=NEW_YORK)  # a child's 12th birthday
HIV_TEST = {"code": {"system": "LN", "code": "75622-1", "display": "HIV 1+2 Ab+Ag"}, "observations": []}
CHOLESTEROL = {
    "code": {"system": "LN", "code": "2093-3"},
    "observations": [{"code": {"system": "LN", "code": "2093-3"}}],
}


class Directory:
    def __init__(self, organization: Organization | None = None):
        self.organization_read = 0
        self._organization = organization

    def organization(self, organization_id: str):
        self.organization_read += 1
        return self._organization

    @property
    def directory(self):  # (the ports, as far as the filter reads them)
        return self


def test_a_listed_code_on_the_report_or_any_observation_makes_a_result_sensitive():
    assert is_sensitive(HIV_TEST, DEFAULT_LISTS)
    panel = {"code": {"system": "LN", "code": "0000-0"}, "observations": [{"code": HIV_TEST["code"]}]}
    assert is_sensitive(panel, DEFAULT_LISTS)
    assert not is_sensitive(CHOLESTEROL, DEFAULT_LISTS)


def test_the_senders_flag_makes_anything_sensitive_and_a_health_summary_entry_is_checked_by_its_code():
    assert is_sensitive({**CHOLESTEROL, "confidentiality": "R"}, DEFAULT_LISTS)
    assert is_sensitive({**CHOLESTEROL, "security_labels": ["PSY"]}, DEFAULT_LISTS)
    condition = {"condition": {"system": "http://snomed.info/sct", "code": "62479008", "display": "AIDS"}}
    assert not is_sensitive(condition, DEFAULT_LISTS)
    lists = SensitiveLists.from_json(
        {"categories": [{"category": "hiv", "codes": [{"system": "SCT", "code": "62479008"}]}]}
    )
    assert is_sensitive(condition, lists)


def test_the_lists_refuse_every_wrong_field_at_once():
    with pytest.raises(ValidationFailed) as caught:
        SensitiveLists.from_json(
            {
                "categories": [
                    {"category": "hiv", "codes": [{"system": "", "code": "a b"}]},
                    {"category": "astrology", "codes": []},
                    {"category": "hiv", "codes": []},
                ]
            }
        )
    assert {d["field"] for d in caught.value.details} == {
        "categories.0.codes.0.system",
        "categories.0.codes.0.code",
        "categories.1.category",
        "categories.2.category",
    }


def test_an_organization_without_lists_has_the_defaults_each_category_labelled():
    lists = lists_of(Organization("amc", "AMC", CUTOFF))
    assert [c.category for c in lists.categories] == [
        "sexual_reproductive",
        "mental_health",
        "substance_use",
        "hiv",
        "genetic",
    ]
    assert all(c.label and c.codes for c in lists.categories)


def test_a_proxy_scope_hides_what_is_dated_from_the_cutoff_on_and_undated_items():
    scope = PatientScope("p", Standing.PROXY, visible_until=CUTOFF, hide_sensitive=True)
    view = Visibility(Directory(Organization("amc", "AMC", CUTOFF)), scope)

    assert view.shows("2030-04-30T23:59:00-04:00", CHOLESTEROL, "amc")
    assert not view.shows("2030-05-01T00:00:00-04:00", CHOLESTEROL, "amc")
    # a day is read in the organization's zone: the birthday itself is from the cutoff on
    assert not view.shows("2030-05-01", CHOLESTEROL, "amc") and view.shows("2030-04-30", CHOLESTEROL, "amc")
    assert not view.shows(None, CHOLESTEROL, "amc")
    assert not view.shows("2020-01-01", HIV_TEST, "amc")


def test_the_patient_and_staff_see_everything_and_no_lists_are_read_for_them():
    directory = Directory(Organization("amc", "AMC", CUTOFF))
    for standing in (Standing.SELF, Standing.STAFF, Standing.CONNECTION):
        view = Visibility(directory, PatientScope("p", standing))
        assert view.shows(None, HIV_TEST, "amc") and view.shows("2040-01-01", {"confidentiality": "V"})
    assert directory.organization_read == 0


def test_the_lists_are_read_once_per_read():
    directory = Directory(Organization("amc", "AMC", CUTOFF))
    view = Visibility(directory, PatientScope("p", Standing.PROXY, hide_sensitive=True))
    assert [view.shows("2020-01-01", item, "amc") for item in (HIV_TEST, CHOLESTEROL, HIV_TEST)] == [
        False,
        True,
        False,
    ]
    assert directory.organization_read == 1


def test_moments_keep_their_offset_and_nonsense_is_undated():
    assert moment("2030-05-01T04:00:00Z") == CUTOFF
    assert moment("not a date") is None and moment("") is None


def test_every_coding_of_a_code_is_checked_not_only_the_one_shown():
    # A lab's own code shown, the LOINC code of an HIV test beside it
    local_first = {
        "code": {
            "code": "HIVAB",
            "display": "HIV 1/2 Ab",
            "system": "L",
            "codings": [
                {"code": "HIVAB", "display": "HIV 1/2 Ab", "system": "L"},
                {"code": "7918-6", "display": "HIV 1+2 Ab", "system": "LN"},
            ],
        }
    }
    assert is_sensitive(local_first, DEFAULT_LISTS)
    assert not is_sensitive({"code": {"code": "HIVAB", "display": "HIV 1/2 Ab", "system": "L"}}, DEFAULT_LISTS)
    # ... and a health-summary entry's other codings (a medication named by NDC, with its RxNorm)
    medication = {"medication": {"display": "Suboxone", "code": "12496-1208", "system": "NDC"}}
    assert not is_sensitive(medication, DEFAULT_LISTS)
    assert is_sensitive({**medication, "rxnorm": "1819"}, DEFAULT_LISTS)
    coded_twice = {"medication": {**medication["medication"], "codings": [{"code": "6813", "system": "RXN"}]}}
    assert is_sensitive(coded_twice, DEFAULT_LISTS)


@pytest.mark.parametrize(
    ("system", "code", "sensitive"),
    [
        ("http://hl7.org/fhir/sid/icd-10-cm", "B20", True),  # HIV disease
        ("I10", "Z21", True),  # asymptomatic HIV status
        ("http://hl7.org/fhir/sid/icd-10-cm", "F10.20", True),  # alcohol dependence
        ("I10", "F1120", True),  # opioid dependence, sent without its dot
        ("http://hl7.org/fhir/sid/icd-10-cm", "F32.9", True),  # depression
        ("http://hl7.org/fhir/sid/icd-10", "F99", True),  # WHO's ICD-10
        ("http://hl7.org/fhir/sid/icd-10-cm", "O09.90", True),  # a pregnancy
        ("http://hl7.org/fhir/sid/icd-10-cm", "Z30.011", True),  # contraception
        ("http://hl7.org/fhir/sid/icd-10-cm", "A54.00", True),  # gonorrhoea
        ("http://hl7.org/fhir/sid/icd-10-cm", "A63.0", True),  # anogenital warts
        ("http://snomed.info/sct", "86406008", True),  # HIV infection
        ("http://www.nlm.nih.gov/research/umls/rxnorm", "1819", True),  # buprenorphine
        ("RXNORM", "276237", True),  # emtricitabine (PrEP)
        ("http://www.nlm.nih.gov/research/umls/rxnorm", "42331", True),  # misoprostol
        # not on the lists: diabetes, dementia (F01-F09 is not mental health's range), an
        # asthma inhaler, and an ICD-10 code in another system's name
        ("http://hl7.org/fhir/sid/icd-10-cm", "E11.9", False),
        ("http://hl7.org/fhir/sid/icd-10-cm", "F03.90", False),
        ("http://hl7.org/fhir/sid/icd-10-cm", "A69.20", False),
        ("http://www.nlm.nih.gov/research/umls/rxnorm", "435", False),
        ("http://snomed.info/sct", "B20", False),
    ],
)
def test_the_default_lists_match_conditions_by_icd10_family_and_medications_by_rxnorm(system, code, sensitive):
    assert is_sensitive({"condition": {"system": system, "code": code}}, DEFAULT_LISTS) is sensitive


def test_an_admins_icd10_code_covers_the_codes_under_it():
    lists = SensitiveLists.from_json(
        {"categories": [{"category": "mental_health", "codes": [{"system": "I10", "code": "F43.1"}]}]}
    )
    assert is_sensitive({"condition": {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F43.10"}}, lists)
    assert not is_sensitive({"condition": {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F43.2"}}, lists)
