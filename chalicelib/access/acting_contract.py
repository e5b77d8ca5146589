"""How a response names someone who acted for the patient under a proxy grant (see
kernel/contract.py); shared by the messages, signed forms and requests they made."""

from __future__ import annotations

from pydantic import Field

from chalicelib.kernel.contract import ResponseModel


class ActingPerson(ResponseModel):
    name: str = Field(description="The proxy's name, as their grant holds it.")
    relationship: str = Field(
        description="The grant's relationship: parent, guardian_of_minor, guardian_of_adult, health_care_agent or "
        "trusted_person."
    )
    label: str = Field(description='In words: "Luis Rivera (parent)".')
