"""Bundles (a page of search results, a collection of a whole record) and OperationOutcome.

Each entry's fullUrl is the resource's absolute URL at the FHIR base (``<base>/<Type>/<id>``), so
the relative references inside the resources resolve against it, inside the Bundle and on the
server alike (FHIR's rule for resolving references in a Bundle).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def full_url(base_url: str, resource: dict[str, Any]) -> str:
    return f"{base_url.rstrip('/')}/{resource['resourceType']}/{resource['id']}"


def search_bundle(
    entries: list[dict[str, Any]],
    *,
    base_url: str,
    self_link: str,
    next_link: str | None = None,
    total: int | None = None,
    included: Iterable[dict[str, Any]] = (),
    outcome: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A searchset page: ``entries`` the matches (search.mode "match"), ``included`` what they
    refer to that the search asked to include ("include"), ``outcome`` an OperationOutcome about
    the search itself ("outcome": a warning that more exists than is listed, say); links self and,
    when there is more, next (the paging cursor is the server's, inside the link)."""
    links = [{"relation": "self", "url": self_link}]
    if next_link:
        links.append({"relation": "next", "url": next_link})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if total is not None:
        bundle["total"] = total
    bundle["link"] = links
    bundle["entry"] = [
        {"fullUrl": full_url(base_url, r), "resource": r, "search": {"mode": mode}}
        for mode, group in (("match", entries), ("include", list(included)))
        for r in group
    ]
    if outcome is not None:  # no fullUrl: an OperationOutcome of a search is no resource of the server's
        bundle["entry"].append({"resource": outcome, "search": {"mode": "outcome"}})
    return bundle


def collection_bundle(resources: list[dict[str, Any]], *, base_url: str, timestamp: str = "") -> dict[str, Any]:
    """A record as one collection (Download my record): every resource with its fullUrl."""
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection"}
    if timestamp:
        bundle["timestamp"] = timestamp
    bundle["entry"] = [{"fullUrl": full_url(base_url, r), "resource": r} for r in resources]
    return bundle


# FHIR's issue severities and the issue-type codes the API answers with.
SEVERITIES = ("fatal", "error", "warning", "information")
ISSUE_CODES = (
    "invalid",
    "structure",
    "required",
    "value",
    "security",
    "login",
    "unknown",
    "expired",
    "forbidden",
    "suppressed",
    "processing",
    "not-supported",
    "duplicate",
    "not-found",
    "deleted",
    "too-long",
    "code-invalid",
    "extension",
    "too-costly",
    "business-rule",
    "conflict",
    "transient",
    "lock-error",
    "no-store",
    "exception",
    "timeout",
    "incomplete",
    "throttled",
    "informational",
)


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> dict[str, Any]:
    """An OperationOutcome of one issue. ``diagnostics`` is shown to an app's user: it names what
    was wrong, never a value from a record."""
    if code not in ISSUE_CODES:
        raise ValueError(f"not a FHIR issue type: {code}")
    if severity not in SEVERITIES:
        raise ValueError(f"not a FHIR issue severity: {severity}")
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }
