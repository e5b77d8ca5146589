"""Inbound clinical feeds: HL7 v2 and FHIR R4 messages from the EHR, lab, ADT and scheduling
systems, arriving on the clinical inbound SQS FIFO queue.

Boundary of this package today: intake. Every body is archived raw in S3 with its SHA-256 before
anything else; it is split into messages (HL7 batches, concatenated messages); each message is
identified by sender + control id and recorded once (redelivery and resends are idempotent), or
quarantined with a reason. Feed sources (a sender registered to an organization, with the
authority for its bare identifiers) and the staff quarantine tools (list, replay, dismiss) live
here too. Filing an accepted message into a chart is chalicelib.filing.
"""
