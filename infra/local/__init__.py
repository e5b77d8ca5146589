"""The local stand-in for AWS: a moto server, the resources of infra/template.yaml provisioned
through the service APIs, SQS pollers with Lambda's semantics, the chalice local API server and
seeded demo data. ``python -m infra.local`` (``make run``) starts it all; Ctrl-C stops it."""
