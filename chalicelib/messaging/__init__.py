"""Secure messaging: conversations between a patient and one of the care teams of an organization
holding their record, with attachments (PDF, JPEG, PNG), read state per side, and the care teams'
inboxes where staff assign, answer and close them against a reply clock of three business days.

A message is PHI: it is read only through the one access check (a patient's own records) or by
staff of the team's organization, every read is audited, it never goes into a log or an email
(emails say only that a message is waiting), and it leaves the portal toward the clinical systems
only as a FHIR Communication on the outbound queue. A message is never edited or deleted.
"""
