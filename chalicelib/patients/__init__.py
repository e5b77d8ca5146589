"""Patients: who the organization's records describe, and their portal status."""
