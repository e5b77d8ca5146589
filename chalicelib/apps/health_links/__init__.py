"""SMART Health Links: a patient shares a copy of their record (an International Patient Summary)
through a link or a QR code that anyone holding it can open, until it expires or is revoked.

- ``domain``: a link (``HealthLink``), its uses, its status, and the ``shlink:/`` payload. Pure.
- ``sealing``: the key, the encrypted file (a compact JWE, ``dir`` + ``A256GCM``) and the QR code.
- ``sharing``: the patient's side (create, list, show again, uses, revoke), through
  ``access.service.patient_scope``.
- ``summary``: the file a link shares, the International Patient Summary of what the caller may
  see (the records collector and the FHIR writer).
- ``manifest``: the public side, ``POST /shl/{manifest_id}``: the manifest a viewer asks for with
  the passcode, each use kept on the link and audited under the patient.

The key never reaches the server again once the link is made: it travels in the link's payload,
which a viewer keeps in the URL's fragment. The server keeps its own copy encrypted with the
stack's KMS key, so the patient can show the QR code again.
"""
