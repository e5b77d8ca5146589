"""Code systems the portal reads from its senders and writes to the clinical systems: one spelling
each, so what is read in is matched by what is sent out."""

from __future__ import annotations

# RxNorm, as FHIR names it (HL7 v2 writes "RXNORM" or "RXN" in a CWE's coding system instead).
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
