"""Release: when a patient is shown a filed result or document.

Immediate by default. An organization's release policy may delay a category, a document type or
a test code; a patient may choose to wait for a clinician's review; staff may hold an item back
(with an exception reason) or release it early. A delay is stored as the item's ``release_at``
and every read filters on it, so nothing is shown early; a guarded Step Functions timer only
announces the release. Boundary: the policy (policy.py), the patient's preferences and upcoming
items, staff holds and early releases, and the admins' policy settings.
"""
