"""Download my record is the whole record: past the cap the FHIR API reads a record with (no
result left out), with the documents' files in the Bundle itself, and its reads audited once
however many tries the queue gives it."""

from __future__ import annotations

import json
from datetime import timedelta

from chalicelib.records import everything
from tests.integration.apps.test_record_export import ask, build_waiting, files_of, of_type, ready
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    enrolled,
    seeded,
    staff_token,
)
from tests.integration.test_proxy_filter import family  # noqa: F401  (fixture)


def test_a_record_larger_than_the_read_cap_is_downloaded_whole(family, container, monkeypatch):
    api, emma = family.api, family.emma
    before = family.cutoff - timedelta(days=2)
    family.feed(*(family.oru(f"c-{n}", f"ORD-{n}", before - timedelta(hours=n)) for n in range(3)))
    # GIVEN a cap of two items a kind on a capped read (5,000 in production: the same rule, smaller)
    monkeypatch.setitem(everything.read_visible_record.__kwdefaults__, "limit", 2)
    monkeypatch.setattr(everything, "MAX_ITEMS_PER_KIND", 2)
    monkeypatch.setattr(everything, "PAGE", 1)
    _, emma_token = family.tokens()

    # WHEN Emma downloads her record
    asked = ask(api, emma, emma_token)
    assert build_waiting(api) == [{"batchItemFailures": []}]

    # THEN it is ready with every one of her three results
    assert ready(api, emma, asked["export_id"], emma_token)["status"] == "ready"
    bundle = json.loads(files_of(container, emma, asked["export_id"])["fhir_bundle"])
    assert len(of_type(bundle, "DiagnosticReport")) == 3
