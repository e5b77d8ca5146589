"""Access: the one answer to "may this caller read or act on this patient's record, and from
when on".

Boundary: every route under /v1/patients/{patient_id}/ and every staff read of one patient asks
``patient_scope`` before reading anything, and reads only through the PatientScope it returns.
A patient reaches their own record and those of organizations connected to their account; staff
and admins reach the patients of their own organization. Anything else is answered as an unknown
patient is (404), and the refusal is audited. Proxy grants (a parent until the child's 12th
birthday, a guardian) and third-party app scopes plug in here, as new kinds of scope: a scope's
``visible_from`` is the first moment a caller may see (today every scope sees the whole record;
the reads will filter on it when a proxy's scope first sets it).
"""
