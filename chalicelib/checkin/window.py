"""The check-in window (appointments/check_in_window.py keeps it beside the appointment it is of):
from the policy's days before a visit until its start, on the organization's calendar."""

from __future__ import annotations

from chalicelib.appointments.check_in_window import NOT_HAPPENING, WindowState, in_zone, window

__all__ = ["NOT_HAPPENING", "WindowState", "in_zone", "window"]
