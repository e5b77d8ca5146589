"""bench/argon2_cost.py's rule, at tiny sizes: it picks the strongest one-lane candidate at or above
the minimum whose verify fits the budget in the sign-in function, and reads that function's memory
from the template."""

from __future__ import annotations

from bench import argon2_cost
from bench.argon2_cost import Candidate, Cost


def _cost(verify_ms: float) -> Cost:
    return Cost([verify_ms / 1000], [verify_ms / 1000], [verify_ms / 1000], [verify_ms / 1000])


def test_the_rule_picks_the_strongest_fitting_one_lane_candidate():
    floor = argon2_cost.OWASP_MINIMUM
    stronger, strongest, lanes = (
        Candidate("s", 46 * 1024, 2),
        Candidate("t", 64 * 1024, 3),
        Candidate("p", 64 * 1024, 3, 4),
    )
    costs = {floor: _cost(20), stronger: _cost(80), strongest: _cost(160), lanes: _cost(50)}
    assert argon2_cost.choose(costs, memory_mb=1769) == stronger
    # with half a vCPU the same work takes twice as long in the function: only the minimum fits
    assert argon2_cost.choose(costs, memory_mb=884) == floor


def test_it_measures_in_turns_and_reads_the_sign_in_functions_memory():
    tiny = (Candidate("a", 64, 1), Candidate("b", 128, 1))
    costs = argon2_cost.measure(tiny, rounds=2)
    assert all(len(cost.verify_cpu) == 2 and min(cost.verify_wall) > 0 for cost in costs.values())
    assert argon2_cost.sign_in_memory_mb() == 1769
