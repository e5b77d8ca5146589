"""Care teams: the directory, per organization, of the teams patients may write to (departments,
clinics, a provider's pool), kept by the organization's admins, with the staff who answer for each.

A team is never deleted, only deactivated, so that a conversation that went to it keeps naming
it. A patient sees the active teams that accept messages of the organization holding the record
they act on, through the one access check (chalicelib.access)."""
