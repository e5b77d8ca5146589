"""The composition root refuses to run without the names of its resources, instead of falling
back on names that may belong to another stack."""

from __future__ import annotations

import logging

import pytest

from chalicelib.settings import RESOURCE_VARIABLES, load_settings
from chalicelib.wiring import ConfigurationMissing, Container

COMPLETE = {name: f"value-of-{name.lower()}" for name in RESOURCE_VARIABLES.values()}


def test_a_complete_environment_builds_a_container_without_touching_aws():
    container = Container(load_settings(COMPLETE))

    assert container.settings.audit_table == "value-of-portal_audit_table"
    assert "_clients" not in container.__dict__  # clients come on first use


def test_a_missing_resource_name_refuses_to_start_and_says_which(caplog):
    environment = {k: v for k, v in COMPLETE.items() if k not in ("PORTAL_AUDIT_TABLE", "PORTAL_KMS_KEY_ID")}

    with caplog.at_level(logging.ERROR), pytest.raises(ConfigurationMissing) as refused:
        Container(load_settings(environment))

    assert "PORTAL_AUDIT_TABLE" in str(refused.value) and "PORTAL_KMS_KEY_ID" in str(refused.value)
    assert [r.missing for r in caplog.records if hasattr(r, "missing")] == [["PORTAL_AUDIT_TABLE", "PORTAL_KMS_KEY_ID"]]


@pytest.mark.parametrize(
    "environment, local",
    [
        ({"PORTAL_STAGE": "local"}, True),
        ({"PORTAL_STAGE": "local", "AWS_LAMBDA_FUNCTION_NAME": "portal-api"}, False),  # deployed by mistake
        ({"PORTAL_STAGE": "prod"}, False),
        ({}, False),
    ],
)
def test_only_the_local_stack_is_local(environment, local):
    assert load_settings(environment).is_local is local


def test_a_tuning_variable_that_is_not_a_positive_number_stops_the_container():
    # A typo such as "15m" must not silently become a default: the function refuses to start,
    # and the message names the variable (never its value).
    environment = {**COMPLETE, "PORTAL_SESSION_IDLE_SECONDS": "15m", "PORTAL_ATTEMPTS_PER_ADDRESS": "0"}
    with pytest.raises(ConfigurationMissing) as refused:
        Container(load_settings(environment))
    assert "PORTAL_SESSION_IDLE_SECONDS" in str(refused.value) and "PORTAL_ATTEMPTS_PER_ADDRESS" in str(refused.value)
    assert "15m" not in str(refused.value)


def test_the_default_time_zone_is_new_york_a_deployment_names_its_own_and_a_wrong_name_stops_the_container():
    assert load_settings(COMPLETE).default_time_zone == "America/New_York"
    assert (
        load_settings({**COMPLETE, "PORTAL_DEFAULT_TIME_ZONE": "America/Denver"}).default_time_zone == "America/Denver"
    )
    # every zone-less feed time would be filed at the wrong instant: refuse rather than guess
    with pytest.raises(ConfigurationMissing) as refused:
        Container(load_settings({**COMPLETE, "PORTAL_DEFAULT_TIME_ZONE": "Mountain"}))
    assert "PORTAL_DEFAULT_TIME_ZONE" in str(refused.value)
