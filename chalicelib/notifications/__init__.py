"""Notifications. Boundary: a notification request arrives on the notifications queue (from the
portal itself or from a Step Functions timer), is rendered from a fixed template and sent through
SES once per notification id (delivery is at least once; Powertools idempotency turns repeats
into no-ops). A request that names an account is also kept in that account's portal inbox
(GET /v1/me/notifications), and emailed only as the account says when it is sent: a verified
address, and the template's preference on.

Email never carries PHI (email travels and is kept outside the portal, unencrypted and without an
audit trail): templates take no free text from the caller; each template owns its link, into
which only an opaque token may go. The email says that something is waiting and links to the
portal.
"""
