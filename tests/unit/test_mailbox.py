"""The local mailbox: a page of what the SES stand-in accepted, newest first, however much it holds."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from chalicelib.dev import mailbox
from chalicelib.dev.mailbox import read_page, render_page
from chalicelib.errors import ValidationFailed


def message(number: int) -> SimpleNamespace:
    """As moto keeps a message sent with send_email (its body is the HTML part)."""
    return SimpleNamespace(
        id=f"id-{number}",
        source="no-reply@portal.example.org",
        destinations={"ToAddresses": [f"person{number}@example.org"]},
        subject=f"Message {number}",
        body=f'<p>Open <a href="http://127.0.0.1:8000/enroll?code=c{number}">the portal</a>.</p>',
    )


def sent(count: int) -> list[SimpleNamespace]:
    return [message(n) for n in range(count)]


def numbers(page) -> list[int]:
    return [int(email.message_id.removeprefix("id-")) for email in page.emails]


def test_the_first_page_is_the_newest_mail_newest_first():
    page = read_page(sent(300), limit=20)

    assert numbers(page) == list(range(299, 279, -1))
    assert page.total == 300 and page.newest
    assert page.emails[0].to == ("person299@example.org",)
    assert page.emails[0].links == ("http://127.0.0.1:8000/enroll?code=c299",)
    assert page.emails[0].text == "Open the portal: http://127.0.0.1:8000/enroll?code=c299."


def test_following_the_cursors_shows_every_message_once():
    messages = sent(305)
    seen, cursor = [], ""
    while True:
        page = read_page(messages, limit=50, cursor=cursor)
        seen += numbers(page)
        if not page.next_cursor:
            break
        cursor = page.next_cursor

    assert seen == list(range(304, -1, -1))


def test_mail_arriving_between_pages_neither_repeats_nor_skips_one():
    messages = sent(100)
    first = read_page(messages, limit=30)

    messages += [message(n) for n in range(100, 110)]  # (moto appends as it accepts)
    second = read_page(messages, limit=30, cursor=first.next_cursor)

    assert numbers(second) == list(range(69, 39, -1))
    assert read_page(messages, limit=30).emails[0].message_id == "id-109"


def test_a_page_reads_only_its_own_messages(monkeypatch):
    # Work per request is one page's worth, whatever the run has sent.
    converted = []
    real = mailbox.email_of
    monkeypatch.setattr(mailbox, "email_of", lambda m: converted.append(m) or real(m))

    read_page(sent(5000), limit=20, cursor="2500")

    assert len(converted) == 20


def test_an_empty_mailbox_is_an_empty_page():
    page = read_page([], limit=20)

    assert (page.emails, page.total, page.next_cursor) == ([], 0, "")
    assert "No email yet" in render_page(page)


@pytest.mark.parametrize("cursor", ["0", "301", "-1", "abc", "1.5"])
def test_a_cursor_that_is_no_place_in_the_mailbox_is_a_400(cursor):
    with pytest.raises(ValidationFailed) as refused:
        read_page(sent(300), limit=20, cursor=cursor)
    assert [(d["field"], bool(d["issue"])) for d in refused.value.details] == [("cursor", True)]


def test_the_page_links_to_older_and_newest_mail_and_escapes_what_it_shows():
    messages = sent(60)
    messages.append(
        SimpleNamespace(id="x", source="a@b", destinations={}, subject="<script>alert(1)</script>", body="")
    )
    newest = render_page(read_page(messages, limit=20))
    older = render_page(read_page(messages, limit=20, cursor="41"))

    assert newest.count("<article>") == 20 and "Local mailbox (61)" in newest
    assert 'href="?limit=20&amp;cursor=41"' in newest and "Newest email" not in newest
    assert "<script>" not in newest and "&lt;script&gt;" in newest
    assert "Newest email" in older and 'cursor=21"' in older
