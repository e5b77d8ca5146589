"""One adapter per AWS service. Each takes its boto3 client in the constructor, speaks domain
verbs, and turns botocore's ClientError into the portal's DependencyUnavailable, so services
never see boto3. Every adapter has ``ping()`` for the health check."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

# What a failed AWS call raises: an error answer from the service, or no answer at all.
AWS_FAILURES = (ClientError, BotoCoreError)
