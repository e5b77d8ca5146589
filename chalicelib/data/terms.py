"""The published versions of the Terms of Use (TermsModel, in the organizations table): the one in
force with the list of versions under "terms#current", each version for good under
"terms#version#<label>". A publication writes both in one transaction, on condition that the label
is new and that the version it replaces is still current, so two admins publishing at once cannot
both win, and a label is never reused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.data.dynamo import any_condition_failed, first_item_exists
from chalicelib.data.models import TermsModel
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.identity.terms import MAX_HISTORY, Terms, TermsHistoryEntry

CURRENT_KEY = "terms#current"
_UNAVAILABLE = "The terms are unavailable."


def _version_key(label: str) -> str:
    return f"terms#version#{label}"


class DynamoTerms:
    def _current_item(self) -> TermsModel | None:
        try:
            return TermsModel.get(CURRENT_KEY, consistent_read=True)
        except TermsModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def current(self) -> Terms | None:
        item = self._current_item()
        if item is None:
            return None
        return Terms(item.terms_version, item.terms_of_use, item.consent, item.summary, item.published_at)

    def current_now(self) -> Terms | None:
        return self.current()  # (every read here is consistent)

    def version(self, label: str) -> Terms | None:
        """A published version by its label (None if no version has it)."""
        try:
            item = TermsModel.get(_version_key(label), consistent_read=True)
        except TermsModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return Terms(item.terms_version, item.terms_of_use, item.consent, item.summary, item.published_at)

    def history(self) -> list[TermsHistoryEntry]:
        item = self._current_item()
        return [
            TermsHistoryEntry(e["version"], e["summary"], datetime.fromisoformat(e["published_at"]))
            for e in ((item.history or []) if item else [])
        ]

    def publish(self, terms: Terms, replaces: str | None) -> None:
        assert terms.published_at is not None  # (a stored version is a published one)
        item = self._current_item()
        if (item.terms_version if item else None) != replaces:
            raise Conflict("The terms changed at the same time; read them again.")
        entry = {"version": terms.version, "summary": terms.summary, "published_at": terms.published_at.isoformat()}
        fields: dict[str, Any] = {
            "terms_version": terms.version,
            "terms_of_use": terms.terms_of_use,
            "consent": terms.consent,
            "summary": terms.summary,
            "published_at": terms.published_at,
        }
        kept = TermsModel(_version_key(terms.version), **fields)
        current = TermsModel(
            CURRENT_KEY, **fields, history=[entry, *(item.history or [] if item else [])][:MAX_HISTORY]
        )
        if item is not None:
            current.version = item.version  # saved on the version read: Conflict if it moved
        try:
            with TransactWrite(connection=TermsModel._get_connection().connection) as transaction:
                transaction.save(kept, condition=TermsModel.organization_id.does_not_exist())
                transaction.save(current)
        except TransactWriteError as error:
            if first_item_exists(error):
                raise Conflict(
                    "A version with this label exists already: choose another.", [{"field": "version"}]
                ) from error
            if any_condition_failed(error):
                raise Conflict("The terms changed at the same time; read them again.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
