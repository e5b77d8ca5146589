"""Access: the one answer to "may this caller read or act on this patient's record, and from
when on".

Boundary: every route under /v1/patients/{patient_id}/ and every staff read of one patient asks
``patient_scope`` before reading anything, and reads only through the PatientScope it returns.
A patient reaches their own record and those of organizations connected to their account; staff
and admins reach the patients of their own organization. Anything else is answered as an unknown
patient is (404), and the refusal is audited. A proxy in force (``chalicelib.proxies``) reaches the record under its grant: only the areas the
grant covers (every call names its ``Area``), only what is dated before ``visible_until`` (a
parent's cutoff at the child's 12th birthday), never what is sensitive, and only to read when the
grant is read-only. Reads filter each item with ``PatientScope.shows``. Third-party app scopes will
plug in here the same way.
"""
