"""What the signed PDF's font can print: checked where the text comes in (a form's title and text
when an admin saves it, a questionnaire's questions and options, a patient's answers), so the
person who wrote it is told there and then, instead of every signature failing later.

The font is DejaVu Sans (``fonts/``, both faces), which covers Latin with accents, Greek, Cyrillic
and more; it has no glyph for Chinese, Japanese, Korean, Indic scripts, Thai or emoji, and
right-to-left scripts (Arabic, Hebrew) would need a shaping engine the PDF library lacks. A missing
glyph would vanish from the page and right-to-left text print reversed: the signed copy would say
something other than what was written.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

FONTS = Path(__file__).parent / "fonts"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")

# In plain words, for whoever typed the text.
NO_GLYPH = "has characters the signed form cannot print (such as emoji, or Chinese, Japanese or Korean writing)"
RIGHT_TO_LEFT = "is written right to left (such as Arabic or Hebrew), which the signed form cannot print yet"


@lru_cache(maxsize=1)
def covered() -> frozenset[int]:
    """The characters both bundled faces have a glyph for."""
    # Imported here: fontTools is only needed once text is checked, never at a cold start.
    from fontTools.ttLib import TTFont

    faces = [set(TTFont(FONTS / name, lazy=True).getBestCmap()) for name in FONT_FILES]
    return frozenset(set.intersection(*faces))


def problem(text: str) -> str:
    """What keeps ``text`` off the signed PDF, in words ("" when it prints as written)."""
    glyphs = covered()
    for character in text:
        if character.isspace():
            continue
        if ord(character) not in glyphs:
            return NO_GLYPH
        if unicodedata.bidirectional(character) in ("R", "AL"):
            return RIGHT_TO_LEFT
    return ""
