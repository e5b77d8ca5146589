"""Filed items' ids come from the stack's record-id key in KMS: the same for a resent or corrected
result, whichever container files it, and not a plain hash anyone who knows the order number
could compute. The key's secret is asked of KMS once per container, on first use."""

from __future__ import annotations

import hashlib

import boto3
import pytest

from chalicelib import wiring
from chalicelib.adapters.kms import KmsMacKey
from chalicelib.records.domain import result_id
from tests.integration.records.conftest import ORG, all_records, deliver, find, oru

LAB = "LAB|AMC"
ORDER = "F-100^LAB"


def current_ids() -> list[str]:
    return sorted(item.current_record_id for item in all_records() if item.current_record_id)


@pytest.fixture
def macs(monkeypatch) -> list[bytes]:
    """Every message the portal asks KMS to MAC."""
    asked: list[bytes] = []
    mac = KmsMacKey.mac

    def counted(self, message: bytes) -> bytes:
        asked.append(message)
        return mac(self, message)

    monkeypatch.setattr(KmsMacKey, "mac", counted)
    return asked


def test_a_results_id_is_keyed_not_a_plain_hash_of_what_the_sender_knows(api, lab_source):
    deliver(api, oru("CTRL-1", "P-100^^^AMC-MRN", filler=ORDER))

    [filed] = current_ids()
    key = wiring.container().record_id_key
    assert filed == result_id(key, ORG, LAB, ORDER)
    assert filed != hashlib.sha256(f"{ORG}\x1f{LAB}\x1f{ORDER}".encode()).hexdigest()[:32]


def test_a_result_sent_twice_resent_and_corrected_stays_one_result_across_containers(api, lab_source):
    deliver(api, oru("CTRL-1", "P-100^^^AMC-MRN", filler=ORDER, value="241"))
    deliver(api, oru("CTRL-1", "P-100^^^AMC-MRN", filler=ORDER, value="241"))  # the same message again
    wiring.reset()  # a cold start: another container derives the key's secret anew
    deliver(api, oru("CTRL-2", "P-100^^^AMC-MRN", filler=ORDER, value="241"))  # resent by the lab
    wiring.reset()
    deliver(api, oru("CTRL-3", "P-100^^^AMC-MRN", filler=ORDER, value="238", status="C"))  # corrected

    [filed] = current_ids()
    patient = find(ORG, "AMC-MRN", "P-100")
    current, kept = wiring.container().records.with_versions(patient.patient_id, filed)
    assert (current.version, current.status, [v.version for v in kept]) == (2, "corrected", [2, 1])


def test_the_keys_secret_is_asked_once_per_container_and_not_before_filing(api, lab_source, macs):
    container = wiring.container()
    assert "record_id_key" not in container.__dict__ and macs == []  # nothing asked at start

    deliver(api, oru("CTRL-1", "P-100^^^AMC-MRN", filler="F-100^LAB"))
    deliver(api, oru("CTRL-2", "P-101^^^AMC-MRN", filler="F-101^LAB"))

    assert macs == [wiring.RECORD_ID_LABEL]  # one KMS call for two messages
    first = container.record_id_key
    wiring.reset()
    assert wiring.container().record_id_key == first  # every container derives the same secret
    assert len(macs) == 2


def test_another_record_id_key_would_give_other_ids(api, lab_source, monkeypatch):
    """Why the key must never be replaced: the same item gets another id under another key."""
    deliver(api, oru("CTRL-1", "P-100^^^AMC-MRN", filler=ORDER))
    [filed] = current_ids()

    # (a new key changes the shared moto account: the next test gets a freshly provisioned one)
    other = boto3.client("kms").create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    monkeypatch.setenv("PORTAL_RECORD_ID_KEY_ID", other["Arn"])
    wiring.reset()

    assert result_id(wiring.container().record_id_key, ORG, LAB, ORDER) != filed
