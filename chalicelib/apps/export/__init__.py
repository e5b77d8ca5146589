"""Download my record: the patient (or a proxy, within their grant) asks for a copy of everything
the portal shows them of a record, as a FHIR R4 Bundle (JSON) and a readable PDF summary.

A copy can be large, so it is built off the request: the API records the ask and queues it
(``requests.py``); the record exports queue's consumer (``building.py``) reads the record as the
requester may see it then, writes both files to the exports bucket (objects expire after seven
days), marks the export ready and emails the requester that it is. The page then lists it with
short-lived download links, each handed out audited (``requests.py``). The PDF is laid out from
the Bundle's resources (``summary_pdf.py``), so the two copies always say the same.
"""
