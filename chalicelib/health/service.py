"""Is the portal up (liveness: no AWS call at all), and does each backing service answer (the deep
check: a probe per resource the app uses, grouped by service, all at once with a time limit, the
result kept for a few seconds)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.adapters import AWS_FAILURES
from chalicelib.errors import PortalError
from chalicelib.observability import logger

PROBE_TIMEOUT_SECONDS = 3.0
# How long one probe round answers the deep check in one container. Anyone may ask for it, so a
# burst of calls (or a monitor in every region) costs one round per container per this many
# seconds instead of a score of AWS calls each; and a service that hangs holds one caller for the probe
# timeout, not every caller. Short enough that on-call sees a recovery within seconds.
DEEP_CHECK_CACHE_SECONDS = 10


@dataclass(frozen=True)
class ServiceHealth:
    name: str
    ok: bool
    latency_ms: float


@dataclass(frozen=True)
class DeepHealth:
    """One probe round: when it ran and what each service answered."""

    checked_at: datetime
    services: tuple[ServiceHealth, ...]

    @property
    def healthy(self) -> bool:
        return all(service.ok for service in self.services)

    @property
    def unavailable(self) -> list[str]:
        return [service.name for service in self.services if not service.ok]


def service_of(probe_name: str) -> str:
    """The service a probe belongs to: "s3.feed_archive" is part of "s3"; a name without a part is
    a service of its own."""
    return probe_name.partition(".")[0]


def check(probes: dict[str, Callable[[], None]], timeout: float = PROBE_TIMEOUT_SECONDS) -> list[ServiceHealth]:
    """Run every probe at once, and answer per service (in the order the probes name them): a
    service is up when each of its probes answered in time without raising. The log names the
    part that failed (its role, e.g. "s3.feed_archive"), the answer only the service."""

    def timed(name: str, probe: Callable[[], None]) -> ServiceHealth:
        started = time.perf_counter()
        try:
            probe()
            ok = True
        except AWS_FAILURES + (PortalError,) as error:
            logger.warning(
                "health probe failed",
                extra={"service": service_of(name), "probe": name, "error_type": type(error).__name__},
            )
            ok = False
        return ServiceHealth(name, ok, round((time.perf_counter() - started) * 1000, 1))

    pool = ThreadPoolExecutor(max_workers=max(1, len(probes)))
    futures = {name: pool.submit(timed, name, probe) for name, probe in probes.items()}
    wait(futures.values(), timeout=timeout)
    pool.shutdown(wait=False, cancel_futures=True)
    parts: dict[str, list[ServiceHealth]] = {}
    for name, future in futures.items():
        if future.done():
            part = future.result()
        else:
            logger.warning("health probe did not answer in time", extra={"service": service_of(name), "probe": name})
            part = ServiceHealth(name, False, timeout * 1000)
        parts.setdefault(service_of(name), []).append(part)
    return [
        ServiceHealth(service, all(p.ok for p in answers), max(p.latency_ms for p in answers))
        for service, answers in parts.items()
    ]


class CachedDeepCheck:
    """The deep check of one container: a probe round at most once per ``ttl_seconds`` of the
    clock it is handed, whatever the round found (a failure is kept too: asking again at once
    would wait for the same dead service)."""

    def __init__(
        self,
        ttl_seconds: float = DEEP_CHECK_CACHE_SECONDS,
        run: Callable[[dict[str, Callable[[], None]]], list[ServiceHealth]] = check,
    ):
        self.ttl = timedelta(seconds=ttl_seconds)
        self._run = run
        # Callers arriving during a round wait for it and share its answer (Lambda runs one call
        # at a time per container; a threaded local server need not).
        self._lock = threading.Lock()
        self._last: DeepHealth | None = None

    def result(self, now: datetime, probes: Callable[[], dict[str, Callable[[], None]]]) -> DeepHealth:
        """The last round if it ran within ``ttl`` before ``now``, else a new one. ``probes`` is
        called only for a new round, so a cached answer builds no client either."""
        with self._lock:
            last = self._last
            if last is None or not (last.checked_at <= now < last.checked_at + self.ttl):
                services = tuple(self._run(probes()))
                last = self._last = DeepHealth(now, services)
                logger.info(
                    "health checked",
                    extra={"unavailable": last.unavailable, "latency_ms": {s.name: s.latency_ms for s in services}},
                )
            return last
