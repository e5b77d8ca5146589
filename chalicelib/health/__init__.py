"""GET /v1/health: is the portal up, and does each backing service answer. No authentication,
no PHI, no resource names: only the stage, the version and one word per service."""
