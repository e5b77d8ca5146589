"""The data layer: PynamoDB models and the repositories over them.

The boundary: this is the only package of chalicelib that imports PynamoDB. Repositories return
domain objects, never models, and translate PynamoDB's errors into the portal's domain errors (a
failed condition into ``Conflict`` or an answer such as ``False``; any other fault into
``DependencyUnavailable``). One module per aggregate, named for it: ``audit_log``, ``directory``
(organizations, accounts and their user-name claims), ``feed_messages``, ``patients``,
``identity_store`` (identity records and identity's multi-table transactions), ``records`` (health
records and feed sources), ``worklist`` and ``inbox``. Imports go one way: ``models`` and
``dynamo`` (shared error checks) import no other module here; a repository module imports them,
and ``identity_store`` and ``feed_messages`` also import the item builders of the aggregates they
write in one transaction; nothing imports back.

Models carry no host and never create tables: tables are declared once, in infra/template.yaml,
and provisioned from it (by CloudFormation in AWS, by infra/local/provision.py on the local stack).
Table names reach the models through ``bind_tables`` in the composition root.
"""
