"""Patients: the people an organization's records describe (identifiers with their assigning
authority, names, birth date), registered by staff or created by the feeds, found by staff within
their own organization. Whether and how a patient uses the portal is chalicelib.identity."""
