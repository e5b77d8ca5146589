"""Interoperability with clinical systems: HL7 v2 and FHIR R4 messages read into the records
domain (and, soon, FHIR written for patient apps and outbound events).

``hl7v2.read_hl7`` reads one HL7 v2 message (ADT, ORU, MDM, SIU) and ``fhir.read_fhir`` one FHIR
R4 document (a resource or a Bundle); both return the domain of chalicelib.records.domain:
ClinicalMessage, carrying PatientFacts, ResultReports (with their Observations) and
ClinicalEntries (visits, appointments, allergies ...).

Reading is pure: no storage, no clock, no network. Matching the patient, storing and releasing
belong to chalicelib.filing; a URL inside a result is kept as text and never fetched. A message
that cannot be read raises Unreadable with a reason that names the segment, field, resource or
element, never a value from the message: a value is PHI, and the reason is kept with the
quarantined message for staff to read. fhir.resources is imported only when a FHIR document is
read, so importing this package stays light for app.py.
"""
