"""The Proxy Access Request and Authorization Form: the text a requester reads and signs, and its
version. A new wording gets a new version, so a signature always names the words it agreed to
(the signed PDF carries the text, the version and the text's SHA-256)."""

from __future__ import annotations

import hashlib

FORM_VERSION = "2026-1"
FORM_TITLE = "Proxy Access Request and Authorization Form"
FORM_TEXT = """\
I am asking for proxy access to another person's patient portal record at this organization, as
that person's parent, legal guardian or health-care agent. By signing this form I confirm that:

1. What I have written in this request is true, and the documents I uploaded are true copies of
   documents that are in force (a birth certificate, a court order or letters of guardianship, or
   a health-care proxy or power of attorney).

2. For a child: access given to a parent or a guardian of a minor shows the child's record only
   up to the child's 12th birthday. What is recorded from the 12th birthday on is not shown to me,
   and I will ask the office about access for an older child.

3. For an adult: access is given only to a court-ordered guardian or a health-care agent. An adult
   who can make their own decisions must agree before my access begins, and may end it at any
   time. My access has an end date (one year unless the office sets another) and can be renewed.

4. Some care is never shown through proxy access: sexual and reproductive health, mental health,
   treatment for substance use (protected by 42 CFR Part 2), HIV and genetic testing, and anything
   the clinic marks as restricted. For those, the patient or the office must be asked directly.

5. I will use this access only to help the patient with their health care, keep my sign-in to
   myself, and tell the office at once if my standing changes (a court order ends, the power of
   attorney is revoked, or the patient no longer wants me to have access).

6. The office reviews every request and may ask for more documents, limit the access, or refuse it.
   The office or the patient may end my access at any time. Everything I do in the portal for the
   patient is recorded and the patient can see it.

By typing my full name and signing below, I ask for proxy access on these terms and authorize the
office to share the patient's portal record with me as described.
"""


def form_sha256() -> str:
    """The SHA-256 of the text as shown: what the signed PDF records as the words agreed to."""
    return hashlib.sha256(FORM_TEXT.encode()).hexdigest()


def shown() -> dict[str, str]:
    return {"version": FORM_VERSION, "title": FORM_TITLE, "text": FORM_TEXT}
