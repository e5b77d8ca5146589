"""What writing one patient's record carries from resource to resource: whose record it is, how
an attachment is reached, and the people and labs the resources name (each becomes one
Practitioner or Organization, written once, after the resources that refer to it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.interop.writer.ids import lab_id, practitioner_id
from chalicelib.interop.writer.values import ATTACHMENT_SYSTEM, reference

# (item id, file) -> a URL of the file, or None: ``file`` is "" for a document's own file and the
# line's index (as text) for a file a result carries.
AttachmentUrl = Callable[[str, str], "str | None"]


@dataclass
class Writing:
    patient_id: str
    organization_id: str
    organization_name: str = ""
    attachment_url: AttachmentUrl | None = None
    practitioners: dict[str, str] = field(default_factory=dict)  # id -> name as sent
    labs: dict[str, str] = field(default_factory=dict)  # id -> name as sent

    def patient(self) -> dict[str, Any]:
        return reference("Patient", self.patient_id)

    def organization(self) -> dict[str, Any]:
        return reference("Organization", self.organization_id, self.organization_name)

    def practitioner(self, name: str) -> dict[str, Any]:
        """A reference to the clinician of that name (written as a Practitioner once)."""
        written = practitioner_id(self.organization_id, name)
        self.practitioners.setdefault(written, name.strip()[:200])
        return reference("Practitioner", written, name.strip()[:200])

    def lab(self, name: str) -> dict[str, Any]:
        """A reference to the performing lab of that name (written as an Organization once)."""
        written = lab_id(self.organization_id, name)
        self.labs.setdefault(written, name.strip()[:200])
        return reference("Organization", written, name.strip()[:200])

    def attachment(self, item_id: str, file: str = "") -> str:
        """Where a file is read: the caller's link when it gives one, else the portal's name of
        the file (a URN the portal's own API resolves; never a link that outlives its purpose)."""
        url = self.attachment_url(item_id, file) if self.attachment_url else None
        return url or f"{ATTACHMENT_SYSTEM}:{item_id}" + (f":{file}" if file else "")
