"""A feed source's own category mapping, through the admin API and the real feed handler: a lab
whose surgical pathology orders carry only a local code (no OBR-24, no LOINC) is declared as
pathology, and its reports then wait as the organization's pathology does; the same report from a
sender without the mapping is a lab result shown at once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib import wiring
from chalicelib.feeds.sources import source_id
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, call, enrolled, seeded, sign_in  # noqa: F401  (fixtures)
from tests.integration.records.conftest import feed_records  # noqa: F401  (fixtures)
from tests.integration.records.test_categories_and_vital_signs import PID, results, set_policy, vital_signs
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

BASE = "/v1/admin/feed-sources"
MAPPED = "PATHLAB|AMC"  # declares its codes
PLAIN = "LAB|AMC"  # the same report, no mapping (registered by the feed fixture)


def surgical_pathology(sender: str, control: str = "S-1") -> str:
    """A lab's surgical pathology report: its own order and line codes, OBR-24 empty, no LOINC, a
    measured size among the lines (which alone would make the classifier say lab)."""
    app, facility = sender.split("|")
    return "\r".join(
        [
            f"MSH|^~\\&|{app}|{facility}|PORTAL|AMC|20261125080000||ORU^R01|{control}|P|2.5.1",
            PID,
            "OBR|1|PL-8|SP-26-2001^PATHLAB|SURGPATH^Surgical specimen^99LAB|||20261124090000||||||||"
            "|^Doctor^Gail||||||20261125075500|||F",
            "OBX|1|NM|SIZE^Specimen size^99LAB||0.4|cm|||||F",
            "OBX|2|TX|DX^Diagnosis^99LAB|1|Seborrheic keratosis. No malignancy.||||||F",
            "OBX|3|NM|TEMP^Temperature^99LAB||37.2|Cel^degrees C|||||F",
        ]
    )


def declare(api, token: str, category_codes: list[dict]):
    body = {"default_authority": "AMC-MRN", "category_codes": category_codes}
    return call(api, "PUT", f"{BASE}/{source_id(MAPPED)}", body, token)


@pytest.fixture
def admin(seeded) -> str:
    return sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)


def test_a_local_order_code_declared_as_pathology_waits_the_pathology_delay(feed, ana, seeded, admin):
    patient_id, token = ana
    answer = declare(
        seeded,
        admin,
        [{"code": "99LAB|SURGPATH", "category": "pathology"}, {"code": "99LAB|TEMP", "category": "vital_signs"}],
    )
    assert answer.status_code == 200, answer.json_body
    set_policy(seeded, {"category:pathology": 3600})
    filed_at = wiring.container().clock.now()

    feed(surgical_pathology(MAPPED))

    assert results(seeded, patient_id, token) == []  # not shown at once, as a lab result would be
    upcoming = call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"]
    [waiting] = upcoming
    assert waiting["category"] == "pathology"
    release_at = datetime.fromisoformat(waiting["release_at"])
    assert timedelta(minutes=59) < release_at - filed_at <= timedelta(hours=1, minutes=1)
    # the line declared a vital sign is a reading in the health summary, not part of the report
    assert [(r["code"]["code"], r["value"]) for r in vital_signs(seeded, patient_id, token)] == [("TEMP", "37.2")]


def test_the_same_report_from_a_sender_without_the_mapping_is_a_lab_result_shown_at_once(feed, ana, seeded):
    patient_id, token = ana
    set_policy(seeded, {"category:pathology": 3600})

    feed(surgical_pathology(PLAIN))

    [shown] = results(seeded, patient_id, token)
    assert shown["category"] == "lab"


def test_an_admin_declares_a_senders_codes_and_sees_them_listed(seeded, admin):
    mapping = [
        {"code": "99LAB|SURGPATH", "category": "pathology"},
        {"code": "http://lab.example.org/codes| XR-CHEST ", "category": "imaging"},
    ]

    answer = declare(seeded, admin, mapping)

    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["category_codes"] == [
        {"code": "99LAB|SURGPATH", "category": "pathology"},
        {"code": "http://lab.example.org/codes|XR-CHEST", "category": "imaging"},  # trimmed, as filing compares
    ]
    listed = call(seeded, "GET", BASE, token=admin).json_body["feed_sources"]
    assert next(s for s in listed if s["sender"] == MAPPED)["category_codes"] == answer.json_body["category_codes"]
    # a PUT replaces the mapping: an empty one removes it
    assert declare(seeded, admin, []).json_body["category_codes"] == []
    assert wiring.container().records.feed_source(MAPPED).category_codes == ()


@pytest.mark.parametrize(
    ("mapping", "field", "words"),
    [
        ([{"code": "99LAB|A", "category": "lab"}, {"code": "99LAB|A ", "category": "pathology"}], "1.code", "twice"),
        ([{"code": "SURGPATH", "category": "pathology"}], "0.code", ""),
        ([{"code": "99LAB|A", "category": "lab"}, {"code": "99LAB|B", "category": "biopsy"}], "1.category", ""),
        ([{"code": f"99LAB|{n}", "category": "lab"} for n in range(201)], "", ""),
    ],
)
def test_a_mapping_that_cannot_hold_is_refused_naming_the_entry(seeded, admin, mapping, field, words):
    answer = declare(seeded, admin, mapping)

    assert answer.status_code == 400, answer.json_body
    assert words in answer.json_body["error"]["message"]
    assert answer.json_body["error"]["details"][0]["field"] == f"category_codes.{field}".rstrip(".")
    assert wiring.container().records.feed_source(MAPPED).category_codes == ()  # nothing kept
