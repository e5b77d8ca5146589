"""Interop: HL7 v2 and FHIR R4 read into the records domain (and, as apps and outbound requests
arrive, FHIR written from it).

Pure: no storage, no clock, no network. A reader turns one message into a ClinicalMessage
(chalicelib.records.domain) or raises Unreadable with a reason that never quotes the message. A
URL inside a result (HL7 RP, FHIR attachment.url) is kept as text and never fetched.
"""
