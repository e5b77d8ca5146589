"""The signed PDF of a check-in form: what a patient, a clinic or an auditor reads in it, that it is
the same bytes every time, and what it refuses to render."""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import struct
import subprocess
import sys
import zlib
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from chalicelib.checkin.signed_form import (
    MAX_FORM_TEXT,
    MAX_TOTAL_TEXT,
    InvalidSignedForm,
    SignedForm,
    render,
    sha256_of,
)
from tests.conftest import PROJECT_DIR

FORM_SHA256 = "3f" * 32
SIGNED_AT = datetime(2026, 12, 5, 13, 30, tzinfo=timezone.utc)


def _png(width: int = 400, height: int = 150) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    for x in range(20, width - 20):  # a stroke, so the image is not blank
        image.putpixel((x, height // 2), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _form(**changes: Any) -> SignedForm:
    fields: dict[str, Any] = {
        "document_id": "sd-01JDX4",
        "form_title": "Consent to treat",
        "form_version": "2026-11",
        "form_text": "I consent to examination and treatment by the clinic's staff.",
        "form_sha256": FORM_SHA256,
        "answers": (
            ("Do you have any allergies?", "Penicillin"),
            ("Preferred pharmacy", "Аптека №1, Ζωγράφου"),
        ),
        "typed_name": "Zoë Ångström-Ναυσικά",
        "signed_at": SIGNED_AT,
        "time_zone": "America/New_York",
        "client_ip": "203.0.113.7",
        "patient_name": "Zoë Ångström",
        "patient_birth_date": date(1980, 2, 29),
        "signature_png": _png(),
    }
    fields.update(changes)
    return SignedForm(**fields)


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    """Text as a reader sees it, whatever the line breaks and justification spaces."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def short_pdf() -> bytes:
    return render(_form())


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    paragraph = "The patient agrees that the clinic may share records with insurers for payment. " * 12
    return render(_form(form_text="\n\n".join(f"Section {n}. {paragraph}" for n in range(1, 25))))


def test_the_pdf_opens_and_shows_the_form_the_answers_and_who_signed(short_pdf: bytes) -> None:
    text = _flat("\n".join(_pages(short_pdf)))
    assert short_pdf.startswith(b"%PDF-")
    assert "Consent to treat" in text
    assert "I consent to examination and treatment by the clinic's staff." in text
    assert "Do you have any allergies?" in text and "Penicillin" in text
    # Cyrillic and Greek answers and an accented, Greek-ending name print as typed.
    assert "Аптека №1, Ζωγράφου" in text
    assert "Signed by: Zoë Ångström-Ναυσικά" in text
    assert "Patient: Zoë Ångström · Born 29 February 1980" in text


def test_the_signing_time_is_shown_in_the_organizations_zone_with_the_zone_named(short_pdf: bytes) -> None:
    text = _flat("\n".join(_pages(short_pdf)))
    # 13:30 UTC is 08:30 in New York in December (EST, UTC-5).
    assert "Signed on 5 December 2026 at 08:30 EST (America/New_York), UTC-05:00" in text


def test_every_page_carries_the_audit_footer(short_pdf: bytes, long_pdf: bytes) -> None:
    for pdf in (short_pdf, long_pdf):
        pages = _pages(pdf)
        for number, page in enumerate(pages, start=1):
            text = _flat(page)
            assert "Document sd-01JDX4" in text
            assert "Signed at 2026-12-05T13:30:00Z (UTC)" in text
            assert "IP 203.0.113.7" in text
            assert f"Form version 2026-11 · Form SHA-256 {FORM_SHA256}" in text
            assert f"Page {number} of {len(pages)}" in text


def test_a_long_form_runs_over_several_pages_and_keeps_all_its_text(long_pdf: bytes) -> None:
    pages = _pages(long_pdf)
    assert len(pages) >= 3
    text = _flat("\n".join(pages))
    assert "Section 1." in text and "Section 24." in text
    # The signature block comes after the form, on the last page.
    assert "Signed by: Zoë Ångström-Ναυσικά" in _flat(pages[-1])


def test_the_drawn_signature_is_embedded_on_the_signature_page(short_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(short_pdf))
    signature_page = next(page for page in reader.pages if "Signed by:" in page.extract_text())
    assert len(signature_page.images) == 1
    assert signature_page.images[0].image.size == (400, 150)


def test_without_a_drawn_signature_the_typed_name_alone_signs() -> None:
    pdf = render(_form(signature_png=None))
    reader = PdfReader(io.BytesIO(pdf))
    assert all(len(page.images) == 0 for page in reader.pages)
    assert "Signed by: Zoë Ångström-Ναυσικά" in _flat(reader.pages[-1].extract_text())


def test_the_pdf_says_what_was_recorded_typed_name_only_or_with_the_drawn_signature(short_pdf: bytes) -> None:
    typed_only = _flat("\n".join(_pages(render(_form(signature_png=None)))))
    assert "Typed full name only and time recorded from IP address 203.0.113.7." in typed_only
    assert "signature and time" not in typed_only
    drawn = _flat("\n".join(_pages(short_pdf)))
    assert "Typed full name, drawn signature and time recorded from IP address 203.0.113.7." in drawn


def test_the_same_signed_form_gives_the_same_bytes_and_hash(short_pdf: bytes) -> None:
    again = render(_form())
    assert again == short_pdf
    assert sha256_of(again) == sha256_of(short_pdf)
    assert len(sha256_of(short_pdf)) == 64


def test_another_process_renders_the_same_hash(short_pdf: bytes) -> None:
    # The hash on the record is checked long after, in another process: nothing may depend on
    # the order Python happens to iterate a set in (PYTHONHASHSEED) or on the machine's zone.
    script = (
        "from tests.unit.test_signed_form_pdf import _form\n"
        "from chalicelib.checkin.signed_form import render, sha256_of\n"
        "print(sha256_of(render(_form())))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242", "TZ": "Asia/Tokyo", "PYTHONPATH": str(PROJECT_DIR)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == sha256_of(short_pdf)


def test_any_change_to_what_was_signed_changes_the_hash(short_pdf: bytes) -> None:
    changed = render(_form(answers=(("Do you have any allergies?", "None"),)))
    assert sha256_of(changed) != sha256_of(short_pdf)


def test_the_pdf_is_dated_at_the_signing_time_not_when_it_was_rendered(short_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(short_pdf))
    assert reader.metadata is not None
    assert reader.metadata.creation_date == SIGNED_AT


def test_a_signing_time_in_another_zone_is_the_same_moment_and_the_same_pdf(short_pdf: bytes) -> None:
    in_paris = SIGNED_AT.astimezone(timezone(timedelta(hours=1)))
    assert render(_form(signed_at=in_paris)) == short_pdf


# --- refusals -------------------------------------------------------------------------------


def _refused(**changes: Any) -> InvalidSignedForm:
    with pytest.raises(InvalidSignedForm) as raised:
        _form(**changes)
    return raised.value


def test_an_empty_typed_name_is_refused() -> None:
    assert _refused(typed_name="   ").field == "typed_name"
    assert _refused(typed_name="").field == "typed_name"


def test_a_signing_time_without_a_zone_is_refused() -> None:
    error = _refused(signed_at=datetime(2026, 12, 5, 8, 30))
    assert error.field == "signed_at"
    assert "time zone" in str(error)


def test_a_signature_that_is_not_a_png_is_refused() -> None:
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 20)).save(jpeg, "JPEG")
    for not_png in (jpeg.getvalue(), b"<svg/>", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40):
        assert _refused(signature_png=not_png).field == "signature_png"


def test_a_signature_over_200_kb_is_refused() -> None:
    # Within the pixel limit, but stored uncompressed: about 300 KB.
    noisy = Image.frombytes("RGB", (320, 320), bytes(range(256)) * 1200)
    out = io.BytesIO()
    noisy.save(out, "PNG", compress_level=0)
    assert len(out.getvalue()) > 200 * 1024
    error = _refused(signature_png=out.getvalue())
    assert error.field == "signature_png" and "200 KB" in str(error)


def test_a_signature_larger_than_2000_by_1000_pixels_is_refused() -> None:
    for size in ((2001, 100), (100, 1001)):
        error = _refused(signature_png=_png(*size))
        assert error.field == "signature_png" and "2000 x 1000" in str(error)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_a_small_png_claiming_a_huge_canvas_is_refused_without_being_decoded() -> None:
    # A few hundred bytes that would inflate to 100000 x 100000 pixels (tens of gigabytes):
    # refused from the header, so the test ends at once instead of exhausting memory.
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 100_000))
        + _chunk(b"IEND", b"")
    )
    assert len(bomb) < 1024
    error = _refused(signature_png=bomb)
    assert error.field == "signature_png"


def test_over_long_text_is_refused_naming_the_field() -> None:
    assert _refused(form_text="x" * (MAX_FORM_TEXT + 1)).field == "form_text"
    assert _refused(typed_name="x" * 201).field == "typed_name"
    assert _refused(answers=(("Why?", "x" * 5001),)).field == "answers.0.answer"
    assert _refused(answers=(("Q", "A"),) * 201).field == "answers"
    many_long_answers = tuple((f"Question {n}", "x" * 4_000) for n in range(40))
    assert 50_000 + 40 * 4_000 > MAX_TOTAL_TEXT
    assert _refused(form_text="y" * 50_000, answers=many_long_answers).field == "answers"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"form_sha256": "not-a-hash"}, "form_sha256"),
        ({"form_sha256": "3F" * 32}, "form_sha256"),
        ({"client_ip": "somewhere"}, "client_ip"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"form_title": ""}, "form_title"),
        ({"typed_name": "Zoë\nÅngström"}, "typed_name"),
        ({"answers": (("", "yes"),)}, "answers.0.question"),
        ({"answers": [("Q", "A")]}, "answers"),
        ({"patient_birth_date": "1980-02-29"}, "patient_birth_date"),
    ],
)
def test_other_bad_input_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    assert _refused(**changes).field == field


def test_a_signed_form_cannot_be_altered_after_it_is_made() -> None:
    signed = _form(signature_png=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        signed.typed_name = "Someone else"  # type: ignore[misc]


def test_text_the_font_cannot_print_is_refused_rather_than_left_off_the_page() -> None:
    # Without a glyph, "王小明" would vanish and the PDF would read "Signed by: " with no name.
    error = _refused(typed_name="王小明")
    assert error.field == "typed_name" and "cannot print" in str(error)
    assert _refused(answers=(("Preferred pharmacy", "صيدلية"),)).field == "answers.0.answer"
    assert _refused(form_text="שלום").field == "form_text"


def test_rendering_logs_nothing_of_what_the_patient_wrote(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        render(_form(answers=(("Anything else?", "Σημείωση Ω̃"),)))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for words in ("Zoë", "Ångström", "Σημείωση", "Consent to treat"):
        assert words not in logged
