"""Filing: an accepted feed message becomes entries of a patient's chart.

Boundary: takes an envelope the intake accepted (chalicelib.feeds), reads it with
chalicelib.interop, matches or creates the patient, and writes versioned records
(chalicelib.records.domain), then the after-effects: a worklist item for a critical value, a
"something waiting" notice, a release timer. Anything that makes a message impossible to file
raises Unreadable, and the intake quarantines it with the reason.
"""
