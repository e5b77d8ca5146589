"""Counting the DynamoDB calls a request makes, as a benchmark's botocore hook would: the cost of
a read is a number of round trips, and a test can hold it to one Query."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.client import BaseClient


@contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    """Every DynamoDB call made meanwhile, by operation (any client: the stores' and the audit trail's)."""
    calls: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counted(client, operation, params):
        if client.meta.service_model.service_name == "dynamodb":
            calls[f"{operation}:{params.get('TableName', '')}:{params.get('IndexName', '')}"] += 1
        return original(client, operation, params)

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
