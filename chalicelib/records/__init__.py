"""Health records: what the portal keeps of a patient's record (results, documents, health-summary
entries, each versioned) and the patient's reads of it.

Boundary: the records domain (domain.py: what the feeds tell the portal, independent of HL7 v2 or
FHIR, and the stored versions with the one rule of what a patient is shown), and the read API:
results, documents, the health summary and the access log, each read through the caller's
PatientScope (chalicelib.access) and audited. Reading feeds into this domain is chalicelib.interop;
writing into the chart is chalicelib.filing; when an item is shown is chalicelib.release.
"""
