"""Routes of the access rules an admin keeps: the sensitive code lists: what care is never shown to someone acting for a patient."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.access import sensitivity_admin
from chalicelib.access.sensitivity_contract import SensitiveCodesChange, SensitiveCodesShown
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route

access_routes = Blueprint(__name__)


def _request() -> Any:
    return access_routes.current_request


@route(
    access_routes,
    "/v1/admin/sensitive-codes",
    access=Access.ADMIN,
    responses={200: SensitiveCodesShown},
    errors=(404,),
)
def get_sensitive_codes() -> dict[str, Any]:
    """The organization's sensitive code lists, by category (sexual and reproductive health,
    mental health, substance use, HIV, genetic tests): a result, document or health-summary entry
    with a listed code is never shown to a proxy. The defaults until an admin sets them: LOINC
    tests, ICD-10 condition families, SNOMED CT conditions and RxNorm ingredients. Codes match in
    their system (LOINC, SNOMED CT, ICD-10, RxNorm by any of their names); ICD-10 codes by prefix."""
    return sensitivity_admin.sensitive_codes(wiring.container(), *signed_in(_request()))


@route(
    access_routes,
    "/v1/admin/sensitive-codes",
    access=Access.ADMIN,
    methods=("PUT",),
    body=SensitiveCodesChange,
    responses={200: SensitiveCodesShown},
    errors=(404,),
)
def put_sensitive_codes(body: SensitiveCodesChange) -> dict[str, Any]:
    """Replace the lists (a category left out is emptied); 400 names each wrong field. Applies
    at once to every proxy's reads. Audited."""
    return sensitivity_admin.set_sensitive_codes(wiring.container(), *signed_in(_request()), body)
