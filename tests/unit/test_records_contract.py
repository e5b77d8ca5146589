"""The value sets the record, release and patient contracts declare are the ones the domain uses:
a category, document type, hold reason or portal action added to one and not the other would be
refused at the door, or answered off the documented schema."""

from __future__ import annotations

from typing import get_args

import pytest

from chalicelib.accounts.domain import AccountStatus as DomainAccountStatus
from chalicelib.identity.portal_access import PORTAL_ACTIONS
from chalicelib.patients import contract as patients
from chalicelib.patients.domain import SEXES
from chalicelib.patients.domain import PortalStatus as DomainPortalStatus
from chalicelib.records import contract as records
from chalicelib.records import summary_contract as summary
from chalicelib.records.domain import DOCUMENT_TYPES, ENTRY_KINDS, PORTAL_DOCUMENT_TYPES, Category, ResultStatus
from chalicelib.release import contract as release
from chalicelib.release.policy import DAYS_WAIT, EXCEPTIONS, HOLD_REASONS, REVIEW_WAIT


@pytest.mark.parametrize(
    "declared, used",
    [
        (records.ResultCategory, tuple(c.value for c in Category)),
        (records.DocumentType, DOCUMENT_TYPES + PORTAL_DOCUMENT_TYPES),
        (records.ReportStatus, tuple(s.value for s in ResultStatus)),
        (release.HoldReason, HOLD_REASONS),
        (release.WaitReason, (REVIEW_WAIT, DAYS_WAIT)),
        (release.BlockingException, EXCEPTIONS),
        (release.DocumentCategory, tuple(f"document:{t}" for t in DOCUMENT_TYPES)),
        (patients.Sex, SEXES),
        (patients.PortalStatus, tuple(s.value for s in DomainPortalStatus)),
        (patients.AccountStatus, tuple(s.value for s in DomainAccountStatus)),
        (patients.PortalAction, PORTAL_ACTIONS),
    ],
    ids=[
        "result-category",
        "document-type",
        "report-status",
        "hold-reason",
        "wait-reason",
        "blocking-exception",
        "document-category",
        "sex",
        "portal-status",
        "account-status",
        "portal-action",
    ],
)
def test_a_declared_value_set_is_the_domains(declared, used):
    assert set(get_args(declared)) == set(used)


def test_every_health_summary_section_has_its_page():
    pages = get_args(summary.HealthSummarySection.model_fields["root"].annotation)
    assert {next(iter(page.model_fields)) for page in pages} == set(ENTRY_KINDS.values())


def test_a_list_filter_left_empty_lists_everything_and_an_unknown_one_is_refused():
    assert records.ResultsQuery.model_validate({"category": ""}).category is None
    assert records.DocumentsQuery.model_validate({"type": "note", "limit": "5"}).limit == 5
    with pytest.raises(ValueError):
        records.ResultsQuery.model_validate({"category": "astrology"})
    with pytest.raises(ValueError):
        records.AccessLogQuery.model_validate({"limit": "101"})
