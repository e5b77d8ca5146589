from __future__ import annotations

from chalicelib.adapters import AWS_FAILURES
from chalicelib.errors import DependencyUnavailable


class SesMailer:
    """Sends the portal's email through SES v1 (moto does not implement SES v2 templates, so the local stack could not run v2)."""

    def __init__(self, client, sender: str):
        self._ses = client
        self.sender = sender

    def send(self, to_address: str, subject: str, text: str, html: str) -> str:
        try:
            answer = self._ses.send_email(
                Source=self.sender,
                Destination={"ToAddresses": [to_address]},
                Message={
                    "Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": html, "Charset": "UTF-8"}},
                },
            )
        except AWS_FAILURES as error:
            raise DependencyUnavailable("Email could not be sent.") from error
        return answer["MessageId"]

    def ping(self) -> None:
        """SES answers, and may send as the sender: its address, or the address's domain, is a
        verified identity. (The send quota answers just as well once the identity is deleted,
        while every email the portal sends is refused.)"""
        domain = self.sender.rpartition("@")[2]
        answer = self._ses.get_identity_verification_attributes(Identities=[self.sender, domain])
        statuses = [entry.get("VerificationStatus") for entry in answer["VerificationAttributes"].values()]
        if "Success" not in statuses:
            raise DependencyUnavailable("The sender address is not a verified identity.")
