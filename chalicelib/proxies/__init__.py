"""Proxy access: a parent, a guardian, a health-care agent or someone the patient trusts acting for
another patient under a grant.

Boundary: ``domain`` holds the rules (who may ask for what, when a grant is in force, what it
shows) and no storage; ``requests`` the request with its documents and signed form; ``review``
staff's decision; ``grants`` the grants' lifecycle (consent, revoke, end, renew, the timers at the
12th birthday and the end date). Access itself is decided in ``chalicelib.access`` (the one check),
which asks ``domain.scope_of`` what a grant in force lets its holder see.
"""
