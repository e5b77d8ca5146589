"""Health records from the clinical feeds: what a message says about a patient (demographics,
results, documents), read from HL7 v2 (hl7.py) or FHIR R4 (fhir.py) into one domain (domain.py).

Reading is pure: no storage, no clock, no network. A URL inside a result (HL7 RP, FHIR
attachment.url) is kept as text and never fetched.
"""
