"""`make run`'s start-up banner: the demo accounts and where to look, never a patient's details."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from infra.local.__main__ import banner
from tests.conftest import PROJECT_DIR

DEMO_FEED = PROJECT_DIR / "infra" / "local" / "demo"


def demo_patients() -> list[dict[str, str]]:
    """Each PID segment of the demo feed: its record numbers, names and birth date."""
    patients = []
    for path in sorted(DEMO_FEED.glob("*.hl7")):
        for segment in path.read_bytes().decode().replace("\n", "\r").split("\r"):
            fields = segment.split("|")
            if fields[0] != "PID":
                continue
            born = fields[7][:8]
            patients.append(
                {
                    "mrn": fields[3].split("^")[0],
                    "family": fields[5].split("^")[0],
                    "given": fields[5].split("^")[1],
                    "born": born,
                    "born_iso": f"{born[:4]}-{born[4:6]}-{born[6:]}",
                }
            )
    return patients


def started_stack() -> SimpleNamespace:
    return SimpleNamespace(
        api_url="http://127.0.0.1:8000",
        aws_url="http://127.0.0.1:5000",
        provisioned=SimpleNamespace(
            environment={"PORTAL_CLINICAL_INBOUND_QUEUE_URL": "http://127.0.0.1:5000/123/inbound.fifo"}
        ),
        seeded=[
            SimpleNamespace(role="admin", username="demo.admin", password="albany-admin-demo"),
            SimpleNamespace(role="staff", username="demo.staff", password="albany-staff-demo"),
            SimpleNamespace(role="parent", username="demo.parent", password="albany-parent-demo"),
        ],
    )


def test_the_demo_feed_has_a_patient_to_look_for():
    assert demo_patients() and all(p["mrn"] and p["family"] and p["born"] for p in demo_patients())


@pytest.mark.parametrize("detail", ["mrn", "family", "given", "born", "born_iso"])
def test_the_banner_names_no_demo_patient_detail(detail):
    text = banner(started_stack())

    for patient in demo_patients():
        assert patient[detail] not in text, f"the banner shows a demo patient's {detail}"


def test_the_banner_names_the_demo_accounts_and_where_to_look():
    text = banner(started_stack())

    assert "demo.admin / albany-admin-demo" in text and "demo.staff / albany-staff-demo" in text
    # all three demo accounts, the parent (no record of its own) with what it is for
    assert "parent demo.parent / albany-parent-demo" in text and "acts for the demo child" in text
    assert "http://127.0.0.1:8000/dev/mailbox" in text and "infra/local/demo/" in text
    assert "Web portal     http://127.0.0.1:8000/\n" in text
    assert "make feed FILE=" in text
