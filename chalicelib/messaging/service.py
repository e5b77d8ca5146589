"""Secure messaging's logic (being built)."""

from __future__ import annotations

from typing import Any


def _later(*_: Any, **__: Any) -> Any:
    raise NotImplementedError


start_attachment = check_attachment = patient_threads = start_thread = patient_thread = _later
patient_read = patient_reply = patient_attachment = team_inboxes = staff_threads = staff_thread = _later
staff_read = staff_reply = assign = change_status = mark_urgent = staff_attachment = _later
