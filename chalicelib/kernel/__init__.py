"""What every capability shares and nothing else: the clock, where a request came from, paging
and cursors, ids and the formats of sort keys.

Boundary: the standard library and chalicelib.errors only; no capability, no storage, no AWS. A
module here is imported by services, repositories and routes alike, so it must never import any
of them.
"""
