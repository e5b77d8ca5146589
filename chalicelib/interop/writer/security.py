"""An item's confidentiality as the sender gave it (access.sensitivity.sensitivity_content keeps
``confidentiality`` and ``security_labels``) written as ``meta.security``: v3 Confidentiality
(R, V ...) and v3 ActCode's sensitivity codes (HIV, PSY, ETH ...). A label HL7 v2 names that v3
does not (AID, DRG ...) is written by its code alone. The reader of an app or a download sees the
same flags the portal reads to keep such care from a proxy (who is never given it at all)."""

from __future__ import annotations

from typing import Any

from chalicelib.interop.writer.profiles import ACT_REASON, CONFIDENTIALITY

_CONFIDENTIALITY = {
    "U": "unrestricted",
    "L": "low",
    "M": "moderate",
    "N": "normal",
    "R": "restricted",
    "V": "very restricted",
}
# v3 ActCode's information sensitivity codes among those the portal keeps.
_ACT_CODES = frozenset({"ETH", "SUD", "HIV", "PSY", "PSYTHPN", "BH", "SDV", "SEX", "STD", "GDIS", "SCA", "SICKLE"})


def security_labels(content: dict[str, Any]) -> list[dict[str, Any]]:
    labels: list[dict[str, Any]] = []
    level = str(content.get("confidentiality") or "").strip().upper()
    if level in _CONFIDENTIALITY:
        labels.append({"system": CONFIDENTIALITY, "code": level, "display": _CONFIDENTIALITY[level]})
    for label in content.get("security_labels") or []:
        code = str(label).strip().upper()
        if code:
            labels.append({"system": ACT_REASON, "code": code} if code in _ACT_CODES else {"code": code})
    return labels
