"""The current Terms of Use and the Informed Consent and User Agreement.

A new version is a new ``Terms`` here (and the old text kept in git history): every patient is then
asked to accept it at their next sign-in (sessions.restriction_for), and the accepted version and
time are stored on the account. The wording is a deployer's to replace (docs/deploying.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Terms:
    version: str
    terms_of_use: str
    consent: str

    def as_json(self) -> dict[str, str]:
        return {"version": self.version, "terms_of_use": self.terms_of_use, "consent": self.consent}


CURRENT = Terms(
    version="2026-11-01",
    terms_of_use=(
        "The patient portal lets you see parts of your health record, message your care team and manage "
        "appointments. It is not for emergencies: call 911 or go to the nearest emergency department. "
        "Keep your user name, password and second factor to yourself; you are responsible for what is done "
        "with your account. Messages are usually answered within three business days. We may suspend access "
        "that is misused. Every access to your record is logged, and you can see that log in the portal."
    ),
    consent=(
        "By using the portal you agree to receive health information electronically. Some results are "
        "released to you as soon as they are available, sometimes before your clinician has reviewed them; "
        "you may choose to wait for your clinician's review. You may stop using the portal at any time and "
        "ask for your records on paper. Access you grant to others (proxies, connected apps) can be withdrawn "
        "at any time."
    ),
)
