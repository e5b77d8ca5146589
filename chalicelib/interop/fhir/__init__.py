"""FHIR R4 documents (one resource or a Bundle) read into the records domain.

``read_fhir`` takes the parsed JSON of a feed body and returns one ClinicalMessage per patient
the document is about: Patient gives the demographics, DiagnosticReport, Observation and
DocumentReference give the results, and allergies, conditions, medication requests,
immunizations, encounters and appointments give the rest of the record. Every resource used is
validated with the fhir.resources R4B models, imported lazily because they cost ~115 ms and app.py
must stay light. Values are then read from the validated JSON itself, so they stay as sent
("2019-02-03T19:43:30.000Z" is not rewritten by a datetime round trip, a decimal parsed with
``parse_float=Decimal`` keeps its trailing zeros).

What makes a document unusable raises Unreadable with a reason naming the resource type, where it
sits and which element is wrong (pydantic's error locations), never a value from the document: a
value is PHI. Three rules keep a result off the wrong chart: a Patient is only usable with an
identifier that names its assigning authority (Identifier.system); a result's subject must be a
Patient in the same document (or one sent earlier that the reference names); an Observation inside
a report must be about the report's patient. URLs (attachment.url) are kept as text, never fetched.

The modules, each above the ones it uses: ``reader`` (the walk, ``read_fhir``); ``results`` and
``entries`` (what a resource becomes); ``document`` (references, patients found, validation once);
``observations``; ``patients``; ``bundle`` (the document's shape); ``validation``; ``values``.
"""

from chalicelib.interop.fhir.reader import FhirParts, SetAside, read_fhir, read_fhir_parts

__all__ = ["FhirParts", "SetAside", "read_fhir", "read_fhir_parts"]
