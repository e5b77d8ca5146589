"""When a new result is shown: the organization's policy (each delay naming its exception, none for
a critical value) and the patient's own choice to wait, which holds for a critical value too."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.errors import ValidationFailed
from chalicelib.records.domain import Category, Coding, Observation, ResultReport, ResultStatus
from chalicelib.release.policy import DAYS_WAIT, REVIEW_WAIT, REVIEW_WAIT_LIMIT, ReleasePolicy, policy_exception

FILED = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
POTASSIUM = Coding(system="LN", code="2823-3", display="Potassium")


def report(flag: str = "N", category: Category = Category.LAB) -> ResultReport:
    observation = Observation(code=POTASSIUM, value_type="numeric", number="4.1", flags=(flag,))
    return ResultReport("K-1", POTASSIUM, category, ResultStatus.FINAL, observations=(observation,))


def policy(seconds: int = 3 * 86400, exception: str | None = "preventing_harm") -> ReleasePolicy:
    return ReleasePolicy.from_json({"delays": {"category:lab": {"seconds": seconds, "exception": exception}}})


def test_a_policy_delay_is_recorded_with_the_exception_it_rests_on():
    at, reason = policy().release_for(report(), FILED, ())
    assert (at - FILED, reason) == (timedelta(days=3), "policy:preventing_harm")
    assert policy_exception(reason) == "preventing_harm"
    assert policy_exception("") is None and policy_exception(REVIEW_WAIT) is None


@pytest.mark.parametrize("flag", ["HH", "LL", "AA", "crit", "PANIC"])
def test_no_policy_delays_a_critical_result(flag):
    assert policy().release_for(report(flag), FILED, ()) == (FILED, "")


def test_the_patients_own_wait_holds_for_a_critical_result_too():
    assert policy().release_for(report("HH"), FILED, ("lab",)) == (FILED + REVIEW_WAIT_LIMIT, REVIEW_WAIT)
    assert policy().release_for(report("HH"), FILED, (), {"lab": 2}) == (FILED + timedelta(days=2), DAYS_WAIT)


def test_the_longer_of_the_policy_and_the_patients_days_wins():
    assert policy().release_for(report(), FILED, (), {"lab": 2})[1] == "policy:preventing_harm"
    assert policy().release_for(report(), FILED, (), {"lab": 5}) == (FILED + timedelta(days=5), DAYS_WAIT)
    # another category's choice does not apply
    assert policy().release_for(report(category=Category.IMAGING), FILED, ("lab",), {"lab": 5}) == (FILED, "")


def test_a_stored_policy_of_the_earlier_form_is_read_naming_no_exception():
    earlier = ReleasePolicy.from_json({"delays": {"category:lab": 3600, "document:note": 0}})
    assert earlier.as_json() == {
        "delays": {
            "category:lab": {"seconds": 3600, "exception": None},
            "document:note": {"seconds": 0, "exception": None},
        },
        # (stored before the choice existed: legal and harm holds are said to be under review)
        "held_items": "say_being_reviewed",
    }
    assert earlier.unexplained() == ["category:lab"]  # a delay of 0 is no delay
    assert earlier.release_for(report(), FILED, ()) == (FILED + timedelta(hours=1), "policy:")


@pytest.mark.parametrize(
    "delay, field",
    [
        ({"seconds": 60, "exception": "clinician_review"}, "delays.category:lab.exception"),
        ({"seconds": 60, "exception": "patient_request"}, "delays.category:lab.exception"),
        ({"seconds": -1, "exception": "privacy"}, "delays.category:lab.seconds"),
        ({"exception": "privacy"}, "delays.category:lab.seconds"),
    ],
)
def test_a_bad_delay_is_refused_naming_its_field(delay, field):
    with pytest.raises(ValidationFailed) as refused:
        ReleasePolicy.from_json({"delays": {"category:lab": delay}})
    assert [d["field"] for d in refused.value.details] == [field]


def test_a_critical_notice_has_its_own_template_and_ids_so_a_generic_one_never_swallows_it():
    from chalicelib.patients.domain import Patient, PortalStatus
    from chalicelib.release.notices import waiting_notice

    patient = Patient("p" * 32, "org", (), "Doe", ("Jane",), "", "", "", PortalStatus.ACTIVE, "acct-1", FILED)
    usual, critical = waiting_notice(patient, FILED), waiting_notice(patient, FILED, critical=True)
    assert usual is not None and critical is not None
    assert (usual["template"], critical["template"]) == ("something_waiting", "care_team_will_call")
    assert usual["notification_id"] != critical["notification_id"]
    assert critical["notification_id"].startswith("critical-result-") and "p" * 32 not in critical["notification_id"]


def test_a_policy_may_show_nothing_of_legal_and_harm_holds_and_nothing_else_is_accepted():
    hidden = ReleasePolicy.from_json({"delays": {}, "held_items": "show_nothing"})
    assert hidden.as_json() == {"delays": {}, "held_items": "show_nothing"}
    with pytest.raises(ValidationFailed) as refused:
        ReleasePolicy.from_json({"delays": {}, "held_items": "whisper"})
    assert refused.value.details == [{"field": "held_items", "issue": "one of say_being_reviewed, show_nothing"}]
