"""Where a request came from: the audit trail records it, and per-address throttling counts it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    source_ip: str = ""
    correlation_id: str = ""
