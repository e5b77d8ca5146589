"""Fixtures of the messaging tests: the seeded demo organization with its care teams, the demo
staff member (a member of both), and Ana, an enrolled patient signed in."""

from tests.integration.identity.conftest import enrolled, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.test_patient_results import ana  # noqa: F401  (fixtures)
