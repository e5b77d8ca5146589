"""PynamoDB models and the repositories that return domain objects.

Models carry no host and never create tables: tables are declared once, in infra/template.yaml,
and provisioned from it (by CloudFormation in AWS, by infra/local/provision.py on the local stack).
Table names reach the models through ``bind_tables`` in the composition root.
"""
