"""The patient's access log names the person who acted for them: a proxy's reads carry the name
the patient's list of proxies gives them, so "someone acting for you" is never a mystery."""

from __future__ import annotations

from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    call,
    enrolled,
    enrollment,
    register_and_invite,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.test_proxy_matrix import World, world  # noqa: F401  (fixture)


def test_a_proxys_reads_are_shown_with_the_proxys_name_and_the_patients_own_without(world: World):
    # GIVEN Chidi acts for Ana, named on her list as "Chidi Okafor"
    world.give(proxy_name="Chidi Okafor")
    # WHEN he reads her results, and she hers
    assert call(world.api, "GET", f"/v1/patients/{world.ana}/results", None, world.chidi_token).status_code == 200
    assert call(world.api, "GET", f"/v1/patients/{world.ana}/results", None, world.ana_token).status_code == 200

    # THEN her access log says who: his read by his name, hers as her own
    answer = call(world.api, "GET", f"/v1/patients/{world.ana}/access-log", None, world.ana_token)
    assert answer.status_code == 200, answer.json_body
    lists = [(e["who"], e["proxy_name"]) for e in answer.json_body["events"] if e["what"] == "results.list"]
    assert ("proxy", "Chidi Okafor") in lists and ("you", None) in lists
    assert all(name is None for who, name in lists if who != "proxy")

    # AND once the grant is replaced (revoked), the reads made under it keep his name
    world.give(proxy_name="Chidi O.")
    again = call(world.api, "GET", f"/v1/patients/{world.ana}/access-log", None, world.ana_token).json_body["events"]
    assert ("proxy", "Chidi Okafor") in [(e["who"], e["proxy_name"]) for e in again]
