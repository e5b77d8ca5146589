"""The patient's check-in for an upcoming visit (see the package's docstring)."""

from __future__ import annotations

from chalicelib.checkin.window import WindowState, window

__all__ = ["WindowState", "window"]
