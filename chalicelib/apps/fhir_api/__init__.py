"""The FHIR R4 read API at /fhir/R4: ``search`` (parameters, matching, cursors: pure),
``service`` (read and search through the one check, audited under the app), ``routes``
(bearer check, OperationOutcome answers), ``contract`` (the declared parameters and media)."""
