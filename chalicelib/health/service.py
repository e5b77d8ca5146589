from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

from chalicelib.adapters import AWS_FAILURES
from chalicelib.errors import PortalError
from chalicelib.observability import logger

PROBE_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class ServiceHealth:
    name: str
    ok: bool
    latency_ms: float


def check(probes: dict[str, Callable[[], None]], timeout: float = PROBE_TIMEOUT_SECONDS) -> list[ServiceHealth]:
    """Run every probe at once; a probe that raises or does not answer in time is down."""

    def timed(name: str, probe: Callable[[], None]) -> ServiceHealth:
        started = time.perf_counter()
        try:
            probe()
            ok = True
        except AWS_FAILURES + (PortalError,) as error:
            logger.warning("health probe failed", extra={"service": name, "error_type": type(error).__name__})
            ok = False
        return ServiceHealth(name, ok, round((time.perf_counter() - started) * 1000, 1))

    pool = ThreadPoolExecutor(max_workers=max(1, len(probes)))
    futures = {name: pool.submit(timed, name, probe) for name, probe in probes.items()}
    wait(futures.values(), timeout=timeout)
    pool.shutdown(wait=False, cancel_futures=True)
    return [
        futures[name].result() if futures[name].done() else ServiceHealth(name, False, timeout * 1000)
        for name in probes
    ]
