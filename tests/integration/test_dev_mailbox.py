"""The local mailbox over the API, reading what moto's SES accepted through the portal's mailer."""

from __future__ import annotations

from chalicelib.dev import mailbox


def send(container, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        container.mailer.send(
            f"person{number}@example.org",
            f"Message {number}",
            f"Open the portal: http://127.0.0.1:8000/enroll?code=c{number}",
            f'<p>Open <a href="http://127.0.0.1:8000/enroll?code=c{number}">the portal</a>.</p>',
        )


def test_a_few_hundred_emails_page_newest_first_each_once(api, container):
    # GIVEN a run that has sent 300 emails
    send(container, 300)

    # WHEN the mailbox is read page by page
    first = api.http.get("/dev/mailbox?format=json&limit=100")
    pages, cursor = [first.json_body], first.json_body["next_cursor"]
    while cursor:
        pages.append(api.http.get(f"/dev/mailbox?format=json&limit=100&cursor={cursor}").json_body)
        cursor = pages[-1]["next_cursor"]

    # THEN three pages show every email once, newest first
    assert first.status_code == 200 and len(pages) == 3
    recipients = [email["to"][0] for page in pages for email in page["emails"]]
    assert recipients == [f"person{n}@example.org" for n in range(299, -1, -1)]
    assert {page["total"] for page in pages} == {300}
    assert pages[0]["emails"][0]["links"] == ["http://127.0.0.1:8000/enroll?code=c299"]


def test_the_page_shows_one_page_and_reads_no_more_however_much_was_sent(api, container, monkeypatch):
    send(container, 400)
    converted = []
    real = mailbox.email_of
    monkeypatch.setattr(mailbox, "email_of", lambda message: converted.append(message) or real(message))

    page = api.http.get("/dev/mailbox")

    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.body.decode()
    assert "Local mailbox (400)" in html and html.count("<article>") == 20
    assert html.index("person399@example.org") < html.index("person398@example.org")
    assert "person379@example.org" not in html  # (the 21st newest is on the next page)
    assert len(converted) == 20  # only the page's own emails were read, not the run's 400


def test_bad_paging_is_a_400_naming_the_parameter(api, container):
    send(container, 3)

    assert [d["field"] for d in api.http.get("/dev/mailbox?limit=0").json_body["error"]["details"]] == ["limit"]
    assert api.http.get("/dev/mailbox?limit=101").status_code == 400
    answer = api.http.get("/dev/mailbox?cursor=7")
    assert answer.status_code == 400 and [d["field"] for d in answer.json_body["error"]["details"]] == ["cursor"]
