"""Email notifications. Boundary: a notification request arrives on the notifications queue
(from the portal itself or from a Step Functions timer), is rendered from a fixed template and
sent through SES exactly once per notification id.

Email never carries PHI (GUIDE 5.9): templates take no free text from the caller, only a link
path inside the portal; the email says that something is waiting and links to the portal.
"""
