"""Spreading a busy key over a few keys, so one partition never takes a whole stream of writes.

DynamoDB serves each partition key from one partition (about 1,000 writes a second, an index's
too). A key every writer shares (every feed message's status, every unknown user's failed
sign-in, one system actor's audit events) takes the whole stream on one partition, and a burst
(a lab's backlog, credential stuffing) is throttled there while the table has room to spare.
Such a key carries a shard suffix, ``<key>#<NN>``, chosen from a hash of something stable
about the item (its id), so the same item always lands on the same shard and different items
spread evenly. Readers of a sharded key ask each of the ``SHARDS`` keys and merge: a constant
number of round trips, whatever the volume.
"""

from __future__ import annotations

import hashlib

SHARDS = 16  # 16 partitions of headroom; a reader's page costs 16 small Queries


def shard_of(stable: str, shards: int = SHARDS) -> int:
    """The shard of an item: from a SHA-256 of something stable about it (Python's ``hash`` differs
    from process to process, so two Lambdas would disagree)."""
    return int.from_bytes(hashlib.sha256(stable.encode()).digest()[:4], "big") % shards


def sharded(key: str, stable: str) -> str:
    """``<key>#<NN>``: the key an item with this stable id is written under."""
    return f"{key}#{shard_of(stable):02d}"


def every_shard(key: str) -> list[str]:
    """Every key a reader of ``key`` asks, in shard order."""
    return [f"{key}#{shard:02d}" for shard in range(SHARDS)]
