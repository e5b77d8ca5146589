"""Appointments: the patient's visits to come and gone by, as the clinical feeds sent them (SIU
S12-S26 and FHIR Appointment are filed as entries of the record; this package reads them back
through the records store, each time in its organization's time zone); the patient's online
cancellation until the organization's cutoff; and requests for a visit, which staff book, propose
another time for, or decline, and which a booking through the feed closes."""
