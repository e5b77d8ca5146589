"""Fixtures of the support tests: the seeded demo organization (which takes support requests,
announced at its support mailbox) and its staff, as in the identity tests."""

from tests.integration.identity.conftest import seeded, staff_token  # noqa: F401  (fixtures)
