"""The staff worklist: what someone at the clinic must do for a patient (call about a critical
result, move a merged record's portal account), listed per organization and closed with an
outcome.

Boundary: filing and patient services add items; staff list and close them. An item names the
patient and the record it is about by id only.
"""
