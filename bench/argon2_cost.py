"""What one password costs the sign-in function: argon2id hash and verify at candidate parameters,
CPU time beside wall time, medians of turns taken in rotation (every candidate once a round), and
the parameters the portal ships (chalicelib.accounts.passwords.ARGON2_PARAMETERS) held to the
rule that chose them.

The rule: the strongest candidate (the most memory times passes an attacker's guess must pay) at or
above OWASP's minimum (argon2id, 19 MiB, 2 passes, 1 lane) whose verify costs the sign-in function
at most VERIFY_BUDGET_MS of its time. Lambda gives a function CPU in proportion to its memory (one
full vCPU at 1,769 MB), so the function's time is this machine's CPU time divided by that share,
read from the SignInHandler's MemorySize in infra/template.yaml. One lane (p=1): argon2 runs its
lanes on threads, and more lanes than the function has vCPUs add no speed, only latency.

A verify is what an attacker's request costs (every sign-in answer, an unknown user's included,
spends one); a hash is paid at enrollment, a reset and a rehash. The figures are this machine's
core standing in for Lambda's: the ratio to the OWASP minimum, measured in the same run, carries
over; the milliseconds are indicative.
"""

from __future__ import annotations

import secrets
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.table import Row

# Lambda: one vCPU at this memory (MB), CPU in proportion below it.
FULL_VCPU_MB = 1769
VERIFY_BUDGET_MS = 100.0
ROUNDS = 9
TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "template.yaml"


@dataclass(frozen=True)
class Candidate:
    name: str
    memory_kib: int
    time_cost: int
    parallelism: int = 1

    @property
    def label(self) -> str:
        return f"m={self.memory_kib // 1024} MiB t={self.time_cost} p={self.parallelism}"

    @property
    def strength(self) -> int:
        # What one guess costs an attacker's hardware: memory filled, times passes over it.
        return self.memory_kib * self.time_cost


OWASP_MINIMUM = Candidate("OWASP minimum", 19 * 1024, 2)
CANDIDATES = (
    OWASP_MINIMUM,
    Candidate("OWASP, one pass", 46 * 1024, 1),
    Candidate("46 MiB, two passes", 46 * 1024, 2),
    Candidate("64 MiB, two passes", 64 * 1024, 2),
    Candidate("64 MiB, three passes", 64 * 1024, 3),
    Candidate("argon2-cffi default (RFC 9106)", 64 * 1024, 3, 4),
)


def sign_in_memory_mb() -> int:
    """The sign-in function's MemorySize, as the template declares it."""
    from infra.local.template import load_template

    return int(load_template(TEMPLATE)["Resources"]["SignInHandler"]["Properties"]["MemorySize"])


def vcpu_share(memory_mb: int) -> float:
    return min(1.0, memory_mb / FULL_VCPU_MB)


@dataclass
class Cost:
    hash_cpu: list[float]
    hash_wall: list[float]
    verify_cpu: list[float]
    verify_wall: list[float]

    def median(self, name: str) -> float:
        return statistics.median(getattr(self, name)) * 1000


def measure(candidates: tuple[Candidate, ...] = CANDIDATES, rounds: int = ROUNDS) -> dict[Candidate, Cost]:
    """Each round hashes and verifies once with every candidate, in turn: load on the machine
    falls on all of them alike."""
    from argon2 import PasswordHasher

    hashers = {
        c: PasswordHasher(time_cost=c.time_cost, memory_cost=c.memory_kib, parallelism=c.parallelism)
        for c in candidates
    }
    costs = {c: Cost([], [], [], []) for c in candidates}
    password = secrets.token_urlsafe(12)
    for _ in range(rounds):
        for candidate, hasher in hashers.items():
            cpu, wall = time.process_time(), time.perf_counter()
            stored = hasher.hash(password)
            costs[candidate].hash_cpu.append(time.process_time() - cpu)
            costs[candidate].hash_wall.append(time.perf_counter() - wall)
            cpu, wall = time.process_time(), time.perf_counter()
            hasher.verify(stored, password)
            costs[candidate].verify_cpu.append(time.process_time() - cpu)
            costs[candidate].verify_wall.append(time.perf_counter() - wall)
    return costs


def lambda_ms(cost: Cost, candidate: Candidate, memory_mb: int) -> float:
    """A verify's time in the function: its CPU at the function's share of a vCPU (lanes beyond
    the function's vCPUs run one after another)."""
    return cost.median("verify_cpu") / vcpu_share(memory_mb)


def choose(costs: dict[Candidate, Cost], memory_mb: int) -> Candidate:
    fitting = [
        c
        for c, cost in costs.items()
        if c.parallelism == 1
        and c.strength >= OWASP_MINIMUM.strength
        and lambda_ms(cost, c, memory_mb) <= VERIFY_BUDGET_MS
    ]
    return max(fitting, key=lambda c: c.strength) if fitting else OWASP_MINIMUM


def shipped() -> Candidate:
    from chalicelib.accounts.passwords import ARGON2_PARAMETERS as p

    return Candidate("shipped", p["memory_cost"], p["time_cost"], p["parallelism"])


def rows(rounds: int = ROUNDS) -> list[Row]:
    memory_mb = sign_in_memory_mb()
    ours = shipped()
    candidates = CANDIDATES + ((ours,) if ours.label not in {c.label for c in CANDIDATES} else ())
    costs = measure(candidates, rounds)
    floor = costs[OWASP_MINIMUM]
    by_label = {c.label: c for c in costs}
    ours_cost = costs[by_label[ours.label]]
    chosen = choose(costs, memory_mb)
    for candidate, cost in costs.items():
        print(
            f"argon2id {candidate.label:<20} ({candidate.name}): hash {cost.median('hash_cpu'):6.1f} ms CPU "
            f"{cost.median('hash_wall'):6.1f} ms wall; verify {cost.median('verify_cpu'):6.1f} ms CPU "
            f"{cost.median('verify_wall'):6.1f} ms wall; in a {memory_mb} MB function "
            f"{lambda_ms(cost, candidate, memory_mb):6.1f} ms"
        )
    print(f"the rule picks {chosen.label}; the portal ships {ours.label}")
    note = (
        f"medians of {rounds} rounds, candidates in turn; floor: OWASP's minimum ({OWASP_MINIMUM.label}) "
        f"in the same run; the rule's pick this run: {chosen.label}"
    )
    return [
        Row(
            f"sign-in argon2id verify ({ours.label}), CPU",
            ours_cost.median("verify_cpu"),
            "ms CPU",
            f">= OWASP minimum's work; <= {VERIFY_BUDGET_MS:.0f} ms in the function",
            floor=floor.median("verify_cpu"),
            note=note,
        ),
        Row(
            f"sign-in argon2id verify in a {memory_mb} MB function",
            lambda_ms(ours_cost, ours, memory_mb),
            "ms",
            f"<= {VERIFY_BUDGET_MS:.0f} ms",
            note=f"CPU / the function's share of a vCPU ({vcpu_share(memory_mb):.2f}: {FULL_VCPU_MB} MB is one)",
        ),
        Row(
            f"argon2id hash ({ours.label}), CPU",
            ours_cost.median("hash_cpu"),
            "ms CPU",
            "enrollment, reset, rehash: no bar",
            floor=floor.median("hash_wall"),
        ),
    ]


def main() -> None:
    from bench.table import render

    print(render(rows()))


if __name__ == "__main__":
    main()
