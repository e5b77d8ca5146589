"""Patient portal backend: the Chalice application's library.

Packages are split by capability (audit, health, feeds, notifications, accounts ...), with
PynamoDB models in ``data/`` and one adapter per AWS service in ``adapters/``. Only
``settings`` reads the environment and only ``wiring`` builds clients.
"""

__version__ = "0.1.0"
