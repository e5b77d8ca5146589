"""Fields of an HL7 v2 segment read from their text with the message's own separators.

python-hl7 gives the segments, but nests a field differently depending on whether it has
repetitions or components, so a field is read here from its text: split by the message's
repetition, component and subcomponent separators, and unescaped with its escape character (FT
line breaks ``\\.br\\`` become newlines). HL7's explicit null ("") and a missing field both read as
"": every way a real feed can be odd reads to empty values, never to an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import hl7
import hl7.containers
import hl7.util

_NULL = '""'  # HL7's explicit null: "delete this value", shown as nothing

# python-hl7 logs the offending field's text when it meets a malformed escape: a feed's values
# are PHI and must never reach a log. This module unescapes on its own (below) and silences them.
hl7.util.logger.disabled = True
hl7.containers.logger.disabled = True


@dataclass(frozen=True)
class _Separators:
    field: str
    repetition: str
    component: str
    subcomponent: str
    escape: str


class FieldReader:
    def __init__(self, message: hl7.Message):
        self.message = message
        seps = message.separators  # "\r|~^&" (segment, field, repetition, component, subcomponent)
        self.seps = _Separators(seps[1], seps[2], seps[3], seps[4] if len(seps) > 4 else "&", message.esc or "\\")

    def field(self, segment: Any, number: int) -> str:
        try:
            text = str(segment[number])
        except (IndexError, KeyError):
            return ""
        return "" if text == _NULL else text

    def repetitions(self, text: str) -> list[str]:
        return [rep for rep in text.split(self.seps.repetition)] if text else []

    def component(self, text: str, number: int, sub: int = 1) -> str:
        """Component ``number`` (1-based) of one repetition, subcomponent ``sub``; unescaped."""
        components = text.split(self.seps.component)
        if number > len(components):
            return ""
        subcomponents = components[number - 1].split(self.seps.subcomponent)
        value = subcomponents[sub - 1] if sub <= len(subcomponents) else ""
        return "" if value == _NULL else self.unescape(value)

    def unescape(self, text: str) -> str:
        """HL7 escape sequences (v2.5 section 2.7): separators, line breaks, hex bytes; formatting
        and character-set switches dropped; anything malformed kept as written."""
        esc = self.seps.escape
        if esc not in text:
            return text.strip()
        out: list[str] = []
        position = 0
        while position < len(text):
            start = text.find(esc, position)
            end = text.find(esc, start + 1) if start >= 0 else -1
            if start < 0 or end < 0:
                out.append(text[position:])
                break
            out.append(text[position:start])
            out.append(self._escape(text[start + 1 : end], text[start : end + 1]))
            position = end + 1
        return "".join(out).strip()

    def _escape(self, sequence: str, literal: str) -> str:
        simple = {
            "F": self.seps.field,
            "S": self.seps.component,
            "T": self.seps.subcomponent,
            "R": self.seps.repetition,
            "E": self.seps.escape,
            ".br": "\n",
            ".sp": "\n",
            "H": "",
            "N": "",
        }
        if sequence in simple:
            return simple[sequence]
        if sequence.startswith("X") and re.fullmatch(r"X(?:[0-9A-Fa-f]{2})+", sequence):
            raw = bytes.fromhex(sequence[1:])
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw.decode("latin-1")
        if sequence[:1] in ("Z", "C", "M") or sequence[:3] in (".in", ".ti", ".sk", ".ce", ".fi", ".nf"):
            return ""  # local escapes, character-set switches and formatting: no text of their own
        return literal  # not an escape sequence after all (a lone backslash in the data)

    def text(self, segment: Any, number: int) -> str:
        """A whole field as text: repetitions on their own lines (TX/FT)."""
        return "\n".join(self.unescape(rep) for rep in self.repetitions(self.field(segment, number))).strip()


def first_segment(segments: list[Any], name: str) -> Any:
    """The first segment named ``name`` (MSH, PID ...), or None."""
    return next((s for s in segments if str(s[0]) == name), None)
