"""One botocore session and one client per AWS service in a process: every PynamoDB model and
every boto3 adapter call through them. A session costs tens of milliseconds of CPU to build (its
loaders read the service models again), and a cold start would otherwise pay it once per model
a request touches."""

from __future__ import annotations

from collections import Counter

import botocore.session
import pytest
from botocore.client import BaseClient

from chalicelib import wiring
from tests.integration.identity.conftest import call, enrolled, register_and_invite, seeded, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.test_patient_results import ana, feed, oru  # noqa: F401  (fixtures)


@pytest.fixture
def sessions_and_clients(monkeypatch):
    """Botocore sessions built, and the clients each AWS service was called through, meanwhile."""
    built: list[botocore.session.Session] = []
    called: dict[str, set[int]] = {}
    session_init = botocore.session.Session.__init__
    make_api_call = BaseClient._make_api_call

    def counted_init(self, *args, **kwargs):
        built.append(self)
        session_init(self, *args, **kwargs)

    def noted_call(client, operation, params):
        called.setdefault(client.meta.service_model.service_name, set()).add(id(client))
        return make_api_call(client, operation, params)

    monkeypatch.setattr(botocore.session.Session, "__init__", counted_init)
    monkeypatch.setattr(BaseClient, "_make_api_call", noted_call)
    return built, called


def test_the_first_results_page_after_a_cold_start_builds_one_session_and_calls_through_one_client(
    feed,  # noqa: F811
    ana,  # noqa: F811
    seeded,  # noqa: F811
    sessions_and_clients,
):
    # GIVEN a patient with a released result, and a container as a cold start finds it
    patient_id, token = ana
    feed(oru("c-1", "ORD-1", "85"))
    wiring.reset()
    built, called = sessions_and_clients
    built.clear()
    called.clear()

    # WHEN the patient's first request reads her results (session check, the records' Query,
    # the read's audit event: three models)
    answer = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token)

    # THEN she gets them, and the process built one botocore session and called DynamoDB
    # through one client, the container's
    assert answer.status_code == 200, answer.json_body
    assert [r["name"] for r in answer.json_body["results"]] == ["Glucose"]
    assert len(built) == 1
    assert called["dynamodb"] == {id(wiring.container().client("dynamodb"))}


def test_every_model_and_the_adapters_share_the_containers_session(container):
    # GIVEN a container's DynamoDB client (built with the models bound)
    from chalicelib.data import models

    client = container.client("dynamodb")
    container.records  # noqa: B018  (binds the tables)

    # WHEN every model's connection is asked for its client
    from pynamodb.models import Model

    model_clients = Counter(
        id(value._get_connection().connection.client)
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, Model) and value is not Model
    )

    # THEN there is one, the container's (as the adapters have one per service, the container's),
    # and it keeps PynamoDB's own settings (no client-side validation, the fail-fast budget)
    assert list(model_clients) == [id(client)]
    assert container.documents._s3 is container.feed_archive._s3 is container.client("s3")
    assert type(client._serializer).__name__ != "ParamValidationDecorator"
    assert client.meta.config.read_timeout == 5 and client.meta.config.connect_timeout == 2
    assert client.meta.config.retries["total_max_attempts"] == 2


def test_a_new_container_hands_every_model_its_new_client(container):
    container.records  # noqa: B018
    from chalicelib.data.models import RecordModel

    wiring.reset()
    fresh = wiring.container()
    fresh.records  # noqa: B018

    assert RecordModel._get_connection().connection.client is fresh.client("dynamodb")
