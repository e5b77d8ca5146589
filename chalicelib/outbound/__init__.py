"""Outbound: the portal's FHIR R4 messages toward the hospital's clinical systems.

What a patient or staff member asks the clinical systems to act on (a message to a care team, a
refill request and what became of it) leaves as one FHIR resource on the outbound FIFO queue, for
the hospital's integration engine to take. Its boundary:

- ``fhir``: the builders (Communication, Task with its MedicationRequest), validated with
  fhir.resources before anything is stored or sent: an invalid resource is a bug and raises.
- ``domain``: the event (id, patient, kind, resource) and what may travel beside it as attributes.
- ``producer``: the outbox pattern. A caller writes the event in the same DynamoDB transaction as
  its own change (``data.outbound.outbound_item``), then calls ``send_now``; the scheduled drain
  sends what a refused send left. The event id is SQS's deduplication id and the patient's portal
  id the message group, so one patient's events arrive in order and a resend is dropped or folded.

docs/integrating.md ("Outbound messages") is the contract the consumer relies on.
"""
