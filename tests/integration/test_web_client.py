"""The web portal's API types (web/src/api/schema.d.ts) are those of the current routes.

A route or model changed without `make web-client` would leave the pages compiling against an API
that no longer exists; regenerating into a temporary folder and comparing catches it. Needs
web/node_modules (make test installs it from web/package-lock.json first); no network.
"""

from infra.web_client import TARGET, is_current


def test_the_web_clients_types_are_current():
    assert is_current(), f"{TARGET.name} is stale: run `make web-client` and commit it"
