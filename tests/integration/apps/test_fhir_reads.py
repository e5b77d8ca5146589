"""What one FHIR request reads of the store (apps/fhir_api/needs.py), counted through a spy on the
records store over moto: on a record of 300 results, a read by id reads its one item, a search
reads its type's kinds only (an Observation search for vital signs reads no results). A search of
a record past the collector's cap says so in its Bundle and gives no total; a hidden item read by
id is a 404 like an unknown one."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.records import everything
from tests.apps_support import issue_token
from tests.integration.apps.test_fhir_api import fhir, ok, outcome, resources
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    enrolled,
    seeded,
    staff_token,
)
from tests.integration.test_proxy_filter import family  # noqa: F401  (fixture)

RESULTS = 300


class StoreSpy:
    """Counts the records store's calls and the items they bring back."""

    def __init__(self, monkeypatch, store) -> None:
        self.calls = 0
        self.items = 0
        for name in ("page", "current", "with_versions"):
            monkeypatch.setattr(store, name, self._counting(getattr(store, name)))

    def _counting(self, method):
        def counted(*args, **kwargs):
            answer = method(*args, **kwargs)
            self.calls += 1
            found = answer[0] if isinstance(answer, tuple) else [answer] if answer is not None else []
            self.items += len(found) if isinstance(found, list) else 1
            return answer

        return counted

    def reset(self) -> tuple[int, int]:
        counted, self.calls, self.items = (self.calls, self.items), 0, 0
        return counted


def with_results(family, container, count: int) -> list[str]:
    """Emma's record with ``count`` results (one filed by the feed and listed when filed, the
    others its copies, listed a minute apart a month ago) and a vital sign; the results' ids,
    newest first."""
    moment = family.clock.now() - timedelta(days=30)
    family.feed(family.oru("r-1", "ORD-R1", moment), family.vitals("v-1", "VS-R1", moment))
    [filed], _ = container.records.page(family.emma, "", family.clock.now(), 5)
    copies = []
    for n in range(1, count):
        copy_id = uuid.uuid4().hex
        listed_at = (moment + timedelta(minutes=n)).isoformat()
        container.records.put_version(replace(filed, result_id=copy_id, listed_at=listed_at))
        copies.append(copy_id)
    return [filed.result_id, *copies[::-1]]


def emmas_token(family, container) -> str:
    return issue_token(container, family.emma, container.directory.account_by_username("emma.child").account_id)


def test_a_read_by_id_reads_one_item_and_a_search_only_its_types_kinds(family, container, monkeypatch):
    ids = with_results(family, container, RESULTS)
    token = emmas_token(family, container)
    spy = StoreSpy(monkeypatch, container.records)

    report = ok(fhir(family.api, f"DiagnosticReport/{ids[150]}", token))
    read_by_id = spy.reset()
    line = ok(fhir(family.api, f"Observation/{ids[7]}-0", token))
    observation_by_id = spy.reset()
    page = ok(fhir(family.api, "DiagnosticReport?_count=10", token))
    search_page = spy.reset()
    vitals = resources(ok(fhir(family.api, "Observation?category=vital-signs", token)))
    vitals_search = spy.reset()
    print(f"\nstore (calls, items) on {RESULTS} results: by id {read_by_id} {observation_by_id}, ", end="")
    print(f"search page {search_page}, vital signs {vitals_search}")

    assert (report["id"], line["id"]) == (ids[150], f"{ids[7]}-0")
    # before: every result and (for an Observation) every health-summary kind, (3, 300) and (7, 301)
    assert read_by_id == observation_by_id == (1, 1)
    assert [r["id"] for r in resources(page)] == ids[:10] and page["total"] == RESULTS
    assert search_page == (3, RESULTS)  # the results alone, as before
    assert len(vitals) == 1 and vitals_search == (1, 1)  # no result read (before: (7, 301))


def test_a_search_of_a_record_past_the_cap_warns_and_gives_no_total(family, container, monkeypatch):
    with_results(family, container, 5)
    token = emmas_token(family, container)
    monkeypatch.setattr(everything, "PAGE", 2)
    # The cap (5,000) is read_visible_record's default limit: 4 stands for it.
    monkeypatch.setitem(everything.read_visible_record.__kwdefaults__, "limit", 4)

    bundle = ok(fhir(family.api, "DiagnosticReport", token))
    whole = ok(fhir(family.api, "Condition", token))

    assert "total" not in bundle
    matches = [e for e in bundle["entry"] if e["search"]["mode"] == "match"]
    [warning] = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert len(matches) == 4
    assert warning["issue"][0]["severity"] == "warning"
    assert "More results exist than this server lists" in warning["issue"][0]["diagnostics"]
    assert whole["total"] == 0 and whole["entry"] == []  # a kind read whole keeps its total


@pytest.mark.parametrize("hidden_by", ["withdrawn", "not released"])
def test_a_hidden_item_read_by_id_is_unknown(family, container, hidden_by):
    [newest, *_] = with_results(family, container, 2)
    token = emmas_token(family, container)
    ok(fhir(family.api, f"DiagnosticReport/{newest}", token))
    current = container.records.current(family.emma, newest)
    if hidden_by == "withdrawn":
        container.records.withdraw(family.emma, "result", newest)
    else:
        later = family.clock.now() + timedelta(days=1)
        container.records.set_release(current, later, "held", "")

    assert "No DiagnosticReport" in outcome(fhir(family.api, f"DiagnosticReport/{newest}", token), 404)
    assert "No Observation" in outcome(fhir(family.api, f"Observation/{newest}-0", token), 404)
    assert "No DiagnosticReport" in outcome(fhir(family.api, f"DiagnosticReport/{'0' * 32}", token), 404)
