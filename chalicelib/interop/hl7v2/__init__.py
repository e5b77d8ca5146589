"""HL7 v2 messages (python-hl7) read into the records domain: ADT (demographics, admissions,
discharges, A40 merges), ORU^R01 (results), MDM (documents), SIU (appointments) and RDE (pharmacy orders, as medications).

python-hl7 gives the segments; fields are read from their text with the message's own
separators, because python-hl7 nests a field differently depending on whether it has
repetitions or components. Text is unescaped with the message's escape character, and FT line
breaks (``\\.br\\``) become newlines. Every way a real feed can be odd (explicit nulls, missing
fields, repeated OBX set ids, Z-segments) reads to empty values; only what makes a message
impossible to read (no patient identifier, a malformed embedded document) raises Unreadable, with
a reason that names the field, never its value. An identifier without an assigning authority
(CX.4) is kept with an empty authority: whether the sender's configured default authority applies
or the message goes to quarantine is the filer's decision, never a guess made here.

The modules, each above the ones it uses: ``reader`` (``read_hl7``, by message type);
``results`` (ORU and MDM) above ``observations`` (OBX); ``visits`` (PV1, SIU); ``patients``
(PID, identifiers); ``values`` (times, codes, persons); ``fields`` (separators and escapes).
"""

from chalicelib.interop.hl7v2.reader import read_hl7
from chalicelib.interop.hl7v2.values import iso_time

__all__ = ["iso_time", "read_hl7"]
