"""One FHIR R4 writer: the records domain as US Core resources, for the FHIR API, the patient's
download, SMART Health Links (an IPS document) and the outbound events.

Pure functions from domain objects to FHIR JSON (dicts); no storage, no clock (a document's time
is passed in), no network. Each resource family in its own module:

- ``profiles``: US Core and IPS profile URLs, code systems;
- ``values``: codes, times, data-absent-reason, references, the portal's identifier systems;
- ``ids``: stable FHIR ids of what the portal holds;
- ``context``: what writing one record carries from resource to resource (the people it names);
- ``people``: Patient, Organization, Practitioner;
- ``results`` (DiagnosticReport, lab Observations; ``observations`` their values) and ``vitals``;
- ``documents``: DocumentReference;
- ``summary``: AllergyIntolerance, Condition, Immunization; ``medications``: MedicationRequest;
- ``visits``: Encounter, Appointment; ``provenance``: Provenance;
- ``record``: ``resources_of`` (every resource of a collected record);
- ``bundles``: searchset and collection Bundles, OperationOutcome;
- ``ips``: the International Patient Summary document;
- ``capability``: the CapabilityStatement (SMART's oauth-uris);
- ``validation``: ``validate`` with fhir.resources R4B, imported on first use (app.py stays light).
"""

from chalicelib.interop.writer.bundles import collection_bundle, operation_outcome, search_bundle
from chalicelib.interop.writer.capability import capability_statement
from chalicelib.interop.writer.ips import ips_document
from chalicelib.interop.writer.record import WrittenRecord, item_resources, resources_of, writing_for
from chalicelib.interop.writer.validation import InvalidResource, validate

__all__ = [
    "InvalidResource",
    "WrittenRecord",
    "capability_statement",
    "collection_bundle",
    "ips_document",
    "item_resources",
    "operation_outcome",
    "resources_of",
    "search_bundle",
    "validate",
    "writing_for",
]
