"""Medications and refills: the patient's medication list as the clinical feeds filed it, whether
each may be refilled online (and, when not, why), refill requests to the organization holding the
prescription, and its staff's decisions on them.

A request and each decision leave as a FHIR Task on the outbound queue (outbound.fhir.refill_task),
written in the same transaction as the change. The patient is emailed that a request was decided,
never which medication or why: the email says only that there is an update to read in the portal.
"""
