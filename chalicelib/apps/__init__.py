"""Health apps: SMART on FHIR apps a patient connects to their record, and the patient's own copies.

- ``domain``: what an app is (``AppClient``), what a patient let it read (``AppAuthorization``),
  SMART scopes (v2, and v1's ``.read`` taken as ``.rs``) and which part of a record (``Area``) each
  FHIR resource type belongs to. Pure code.
- ``oauth/``: the authorization server (Authlib's grants on the portal's stores): authorize,
  token, introspection, revocation, ``.well-known/smart-configuration``, the id_token's keys; the
  consent API the portal's pages call; apps registered by admins; connected apps and revoking.
- ``fhir_api/``: the FHIR R4 read API at /fhir/R4 (CapabilityStatement, read, US Core searches,
  paging Bundles, OperationOutcome), reached with an app's bearer token; every read goes through
  ``access.service.patient_scope`` and the same record views the portal's pages use.
- ``export/``: "Download my record" (a FHIR Bundle and a PDF summary, built by a queue job).
- ``health_links/``: SMART Health Links to an International Patient Summary.

FHIR resources are written by one writer, ``chalicelib.interop.writer``, from the records domain.
"""
