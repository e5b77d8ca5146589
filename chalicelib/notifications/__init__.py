"""Email notifications. Boundary: a notification request arrives on the notifications queue
(from the portal itself or from a Step Functions timer), is rendered from a fixed template and
sent through SES once per notification id (delivery is at least once; Powertools idempotency
turns repeats into no-ops).

Email never carries PHI (GUIDE 5.9): templates take no free text from the caller; each template
owns its link, into which only an opaque token may go. The email says that something is waiting
and links to the portal.
"""
