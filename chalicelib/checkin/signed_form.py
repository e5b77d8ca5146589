"""The signed PDF of one check-in form: what the patient read, answered and signed, and proof of it.

``render(signed)`` lays out, on US Letter pages: the form's title, version and the patient it is
for; the form's text (wrapped, as many pages as it needs); the answers as question and answer; a
signature block (the typed full name, the drawn signature scaled into a box when there is one, and
the signing time in the organization's time zone with the zone named); and on every page an audit
footer (document id, signing time in UTC, the client's IP, the form's version and SHA-256, and
"Page N of M").

The output is a function of the input alone: the PDF's creation date is the signing time and its
file id a digest of its own bytes, so rendering the same ``SignedForm`` again gives the same bytes
and the same ``sha256_of``, which is what lets the SHA-256 kept on the record prove the stored PDF
unchanged. The bytes are reproducible for a given fpdf2 and font: after an upgrade of either, a
re-render may differ, so a stored PDF is checked against its recorded hash, never re-rendered.

Text is set in DejaVu Sans (bundled in ``fonts/``, embedded as a subset of the glyphs used), which
covers Latin (with accents), Greek and Cyrillic, and more (Armenian, Georgian, many symbols). Not
covered, and refused rather than printed wrongly: characters DejaVu has no glyph for (Chinese,
Japanese, Korean, Devanagari and other Indic scripts, Thai) and right-to-left scripts (Arabic,
Hebrew), which would need a shaping engine. The labels are in English.

Bad input raises ``InvalidSignedForm`` naming the field when a ``SignedForm`` is made: a signature
that is not a PNG, is over 200 KB or is larger than 2000 x 1000 pixels (its size is read from the
PNG header, so an image made to expand into gigabytes is refused without being decoded); an empty
typed name; a time without a zone; text over its limit or that the font cannot print.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import logging
import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from chalicelib.checkin import printable
from chalicelib.kernel.zones import UnknownZone, zone

FONTS = printable.FONTS
FONT = "DejaVu"

# fpdf2's warnings quote the document's text (a missing glyph is logged with the characters around
# it): that text is a patient's, so it never reaches the logs. Errors still do.
logging.getLogger("fpdf").setLevel(logging.ERROR)

# Limits on what a form and a patient can put into one PDF: generous for real forms (a long
# consent is about 30,000 characters), small enough that one render stays well inside a Lambda's
# time and memory.
MAX_FORM_TEXT = 100_000
MAX_ANSWERS = 200
MAX_QUESTION = 1_000
MAX_ANSWER = 5_000
MAX_SHORT_TEXT = 200  # a title, a version, a name, a document id
# All the text of one PDF (the form's and the answers'): about 60 pages, rendered in a second or
# two; without it 200 long answers could take a Lambda most of a minute.
MAX_TOTAL_TEXT = 150_000
MAX_SIGNATURE_BYTES = 200 * 1024
MAX_SIGNATURE_WIDTH = 2_000
MAX_SIGNATURE_HEIGHT = 1_000

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# Characters that have no place in printed text (controls other than tab and line breaks).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Where the signature goes: a box this size (mm), the image scaled into it keeping its shape.
_SIGNATURE_BOX = (80.0, 30.0)
_MARGIN = 20.0
_FOOTER_HEIGHT = 24.0


class InvalidSignedForm(ValueError):
    """What was signed cannot be rendered; ``field`` names the part that is wrong, and
    ``unprintable`` says it is text the font cannot print (the rest is wrong input)."""

    def __init__(self, field: str, problem: str, *, unprintable: bool = False) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
        self.unprintable = unprintable


@dataclass(frozen=True)
class SignedForm:
    """One form as the patient signed it.

    ``form_sha256`` is the lower-case hex SHA-256 of the form's template as shown (the version the
    patient read); ``signed_at`` carries its zone (any: the PDF shows it in UTC and in
    ``time_zone``, the organization's IANA zone); ``signature_png`` is the drawn signature, if any.
    """

    document_id: str
    form_title: str
    form_version: str
    form_text: str
    form_sha256: str
    answers: tuple[tuple[str, str], ...]
    typed_name: str
    signed_at: datetime
    time_zone: str
    client_ip: str
    patient_name: str
    patient_birth_date: date
    signature_png: bytes | None = None
    # Signed by someone acting for the patient: their relationship in words ("parent"); the
    # signature block then says for whom they signed.
    acting_as: str = ""

    def __post_init__(self) -> None:
        _check(self)


def render(signed: SignedForm) -> bytes:
    """The signed PDF of ``signed``: the same bytes every time for the same input."""
    pdf = _Document(signed)
    pdf.render_body()
    return bytes(pdf.output())


def sha256_of(pdf: bytes) -> str:
    """The lower-case hex SHA-256 of a PDF, as it is kept on the record and sent outbound."""
    return hashlib.sha256(pdf).hexdigest()


# --- checks -----------------------------------------------------------------------------------


def _check(signed: SignedForm) -> None:
    _text(signed.document_id, "document_id", MAX_SHORT_TEXT, one_line=True)
    _text(signed.form_title, "form_title", MAX_SHORT_TEXT, one_line=True)
    _text(signed.form_version, "form_version", MAX_SHORT_TEXT, one_line=True)
    _text(signed.form_text, "form_text", MAX_FORM_TEXT)
    if not isinstance(signed.form_sha256, str) or not _SHA256_HEX.fullmatch(signed.form_sha256):
        raise InvalidSignedForm("form_sha256", "must be a SHA-256 in lower-case hex (64 characters)")
    _answers(signed.answers)
    total = len(signed.form_text) + sum(len(question) + len(answer) for question, answer in signed.answers)
    if total > MAX_TOTAL_TEXT:
        raise InvalidSignedForm("answers", f"with the form's text must be at most {MAX_TOTAL_TEXT} characters in all")
    _text(signed.typed_name, "typed_name", MAX_SHORT_TEXT, one_line=True)
    if not isinstance(signed.signed_at, datetime):
        raise InvalidSignedForm("signed_at", "must be a date and time")
    if signed.signed_at.utcoffset() is None:
        # A time without a zone could be any of two dozen moments: a signature needs the one.
        raise InvalidSignedForm("signed_at", "must carry its time zone")
    try:
        zone(signed.time_zone)
    except UnknownZone:
        raise InvalidSignedForm("time_zone", "must be an IANA time zone name") from None
    try:
        ipaddress.ip_address(signed.client_ip)
    except ValueError:
        raise InvalidSignedForm("client_ip", "must be an IPv4 or IPv6 address") from None
    _text(signed.patient_name, "patient_name", MAX_SHORT_TEXT, one_line=True)
    if not isinstance(signed.patient_birth_date, date) or isinstance(signed.patient_birth_date, datetime):
        raise InvalidSignedForm("patient_birth_date", "must be a calendar date")
    if signed.signature_png is not None:
        _signature(signed.signature_png)


def _text(value: object, field: str, limit: int, *, one_line: bool = False) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidSignedForm(field, "must not be empty")
    if len(value) > limit:
        raise InvalidSignedForm(field, f"must be at most {limit} characters")
    if _CONTROL.search(value) or (one_line and ("\n" in value or "\r" in value)):
        raise InvalidSignedForm(field, "must not hold control characters" + (" or line breaks" if one_line else ""))
    _printable(value, field)


def _printable(value: str, field: str) -> None:
    # Refused rather than printed wrongly (checkin.printable says why), so the caller can tell
    # the person instead of keeping a wrong record.
    problem = printable.problem(value)
    if problem:
        raise InvalidSignedForm(field, problem, unprintable=True)


def _answers(answers: object) -> None:
    if not isinstance(answers, tuple):
        raise InvalidSignedForm("answers", "must be a tuple of (question, answer) pairs")
    if len(answers) > MAX_ANSWERS:
        raise InvalidSignedForm("answers", f"must be at most {MAX_ANSWERS} pairs")
    for index, pair in enumerate(answers):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidSignedForm(f"answers.{index}", "must be a (question, answer) pair")
        _text(pair[0], f"answers.{index}.question", MAX_QUESTION)
        # An answer may be blank (an optional question left unanswered), but is still text.
        if not isinstance(pair[1], str) or len(pair[1]) > MAX_ANSWER or _CONTROL.search(pair[1]):
            raise InvalidSignedForm(
                f"answers.{index}.answer",
                f"must be text of at most {MAX_ANSWER} characters, without control characters",
            )
        _printable(pair[1], f"answers.{index}.answer")


def _signature(png: object) -> None:
    field = "signature_png"
    if not isinstance(png, bytes) or not png.startswith(_PNG_SIGNATURE):
        raise InvalidSignedForm(field, "must be a PNG image")
    if len(png) > MAX_SIGNATURE_BYTES:
        raise InvalidSignedForm(field, f"must be at most {MAX_SIGNATURE_BYTES // 1024} KB")
    try:
        # Image.open reads the header only: the size is known before a single pixel is inflated,
        # so a small file claiming a vast canvas is refused here, not decoded. Pillow's own bomb
        # check is a warning below twice its limit; it is made an error for this block.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
                width, height = image.size
                if width > MAX_SIGNATURE_WIDTH or height > MAX_SIGNATURE_HEIGHT:
                    raise InvalidSignedForm(
                        field, f"must be at most {MAX_SIGNATURE_WIDTH} x {MAX_SIGNATURE_HEIGHT} pixels"
                    )
                if width < 1 or height < 1:
                    raise InvalidSignedForm(field, "must not be empty")
                # Within those bounds decoding is cheap (at most 8 MB); decoding now refuses a
                # damaged file here rather than halfway through drawing the PDF.
                image.load()
    except InvalidSignedForm:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidSignedForm(field, "must be a PNG image that can be read") from None


# --- layout -----------------------------------------------------------------------------------


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(zone("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_text(moment: datetime, zone_name: str) -> str:
    """ "5 December 2026 at 08:30 EST (America/New_York)": the day in words, so that no reader
    mistakes 05/12 for 12 May; the zone by abbreviation and by name, as the abbreviation alone is
    ambiguous (CST)."""
    local = moment.astimezone(zone(zone_name))
    return f"{local.day} {local:%B %Y} at {local:%H:%M} {local.tzname()} ({zone_name})"


def _offset_text(offset: timedelta | None) -> str:
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class _Document(FPDF):
    def __init__(self, signed: SignedForm) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self.signed = signed
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(True, margin=_MARGIN + _FOOTER_HEIGHT)
        # Fixed metadata: no clock and no random id, so the bytes depend on the input alone. The
        # date is kept in UTC: the same moment given with another offset is the same document.
        self.set_creation_date(signed.signed_at.astimezone(zone("UTC")))
        self.set_creator("Patient portal check-in")
        self.set_title(signed.form_title)
        self.set_lang("en")
        self.alias_nb_pages()

    def footer(self) -> None:
        signed = self.signed
        self.set_y(-(_MARGIN + _FOOTER_HEIGHT - 4))
        self.set_draw_color(150, 150, 150)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(60, 60, 60)
        lines = (
            f"Document {signed.document_id} · Signed at {_utc_text(signed.signed_at)} (UTC) · IP {signed.client_ip}",
            f"Form version {signed.form_version} · Form SHA-256 {signed.form_sha256}",
            f"Page {self.page_no()} of {{nb}}",
        )
        for line in lines:
            self.cell(0, 4, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
        self.set_text_color(0, 0, 0)

    def _heading(self, text: str, size: float = 13) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.ln(2)

    def _paragraph(self, text: str, size: float = 10, style: str = "") -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")

    def render_body(self) -> None:
        signed = self.signed
        self.add_page()
        self._heading(signed.form_title, 16)
        self._paragraph(f"Form version {signed.form_version}", 9)
        self._paragraph(
            f"Patient: {signed.patient_name} · Born {signed.patient_birth_date.day} {signed.patient_birth_date:%B %Y}",
            9,
        )
        self.ln(5)

        self._paragraph(signed.form_text.replace("\r\n", "\n").replace("\r", "\n"))
        self.ln(6)

        if signed.answers:
            self._heading("Answers")
            for question, answer in signed.answers:
                self._paragraph(question, 10, "B")
                self._paragraph(answer if answer.strip() else "(no answer)")
                self.ln(2)
            self.ln(4)

        self._signature_block()

    def _signature_block(self) -> None:
        signed = self.signed
        box_width, box_height = _SIGNATURE_BOX
        # Keep the block on one page: a signature split from its name and time proves less.
        needed = 9 + 8 + (box_height + 4 if signed.signature_png is not None else 0) + 10
        if self.get_y() + needed > self.page_break_trigger:
            self.add_page()
        self._heading("Signature")
        if signed.acting_as:
            self._paragraph(f"Signed by: {signed.typed_name} ({signed.acting_as}) for {signed.patient_name}", 11)
        else:
            self._paragraph(f"Signed by: {signed.typed_name}", 11)
        self.ln(2)
        if signed.signature_png is not None:
            top, left = self.get_y(), self.l_margin
            self.set_draw_color(150, 150, 150)
            self.rect(left, top, box_width, box_height)
            self.image(
                io.BytesIO(signed.signature_png),
                x=left + 1,
                y=top + 1,
                w=box_width - 2,
                h=box_height - 2,
                keep_aspect_ratio=True,
                alt_text="The patient's drawn signature",
            )
            self.set_y(top + box_height + 4)
        local = _local_text(signed.signed_at, signed.time_zone)
        offset = _offset_text(signed.signed_at.astimezone(zone(signed.time_zone)).utcoffset())
        self._paragraph(f"Signed on {local}, {offset}", 10)
        # Says what was recorded, no more: a PDF signed by the typed name alone must not claim a
        # drawn signature that is not on it.
        recorded = "Typed full name, drawn signature" if signed.signature_png is not None else "Typed full name only"
        self._paragraph(f"{recorded} and time recorded from IP address {signed.client_ip}.", 8)
