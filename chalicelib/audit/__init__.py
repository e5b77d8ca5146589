"""The audit trail (HIPAA 164.312(b)): who did what to whose record, when, with what outcome.

Boundary: an append-only store of AuditEvents and the one write, ``trail.write_audit``, that every
read or write of PHI, every sign-in and every denial calls. Events never carry PHI values: they
name the patient by id and the resource by type and id. The store can be read by patient (so a
patient can see who looked at their record) and by actor (for a privacy officer).
"""
