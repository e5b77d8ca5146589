"""Who is calling: the signed-in account of a request, as the session check established it.
Every service that acts for someone takes one; it carries ids only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """Who is calling, as the session check established it for this request."""

    account_id: str
    role: str
    organization_id: str
    patient_id: str
    session_id: str
    restriction: str
    source_ip: str = ""
    correlation_id: str = ""
    # A health app's call through the FHIR API (chalicelib/apps): the authorization its token came
    # from. The account is the one that authorized the app; ``session_id`` is then "app:<id>".
    app_authorization_id: str = ""
