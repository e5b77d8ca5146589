"""Identity: invitations, enrollment, sessions, second factors, recovery, profile, connections,
staff and admin accounts (workforce), and a patient's portal access as staff manage it.

Every secret the portal hands out (session token, invitation code, one-time link, challenge id)
is a split token (tokens.py): a selector that finds the record and a verifier of which only a
SHA-256 is stored, so neither a table dump nor a log line can be replayed.
"""
