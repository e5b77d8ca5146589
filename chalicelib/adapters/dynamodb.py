"""A DynamoDB table as the health check sees it (the tables' items are read and written through
PynamoDB, in chalicelib/data)."""

from __future__ import annotations

from chalicelib.errors import DependencyUnavailable

# A table being created or deleted answers DescribeTable but not the app's reads and writes.
_SERVING = ("ACTIVE", "UPDATING")


class DynamoTable:
    def __init__(self, client, table_name: str):
        self._dynamodb = client
        self.table_name = table_name

    def ping(self) -> None:
        status = self._dynamodb.describe_table(TableName=self.table_name)["Table"].get("TableStatus")
        if status not in _SERVING:
            raise DependencyUnavailable("A table is not serving.")
