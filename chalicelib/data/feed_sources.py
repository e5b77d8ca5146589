"""Which organization a feed sender files for, in DynamoDB (FeedSourceModel, and the list of an
organization's senders, OrganizationSendersModel, both in the organizations table)."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError, PynamoDBException

from chalicelib.data.dynamo import conditional_failure
from chalicelib.data.models import FeedMessageModel, FeedSourceModel, OrganizationSendersModel
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.feeds.domain import FeedSource, FeedStatus
from chalicelib.kernel.shards import every_shard

_UNAVAILABLE = "The health records store is unavailable."


def _source(sender: str, item: FeedSourceModel) -> FeedSource:
    """The registration as filing reads it: under the sender's own name even when the catch-all's."""
    return FeedSource(
        sender=sender,
        organization_id=item.files_for,
        default_authority=item.default_authority or "",
        files_test_messages=bool(item.files_test_messages),
        authorities=tuple((str(sent), str(authority)) for sent, authority in item.authorities or ()),
        category_codes=tuple((str(code), str(category)) for code, category in item.category_codes or ()),
    )


# The statuses staff list by organization (the feed messages' by-organization-status index).
LISTED = (FeedStatus.QUARANTINED.value, FeedStatus.HELD.value)


def org_status(organization_id: str, status: str) -> str | None:
    """The by-organization-status key of a message: only a listed one whose sender is owned."""
    return f"{organization_id}#{status}" if organization_id and status in LISTED else None


def owner_of(sender: str) -> str:
    """The organization a sender's messages belong to now ("" when nobody's: the operator's)."""
    source = DynamoFeedSources().feed_source(sender) if sender else None
    return source.organization_id if source else ""


def rekey_listed(sender: str) -> int:
    """After a sender's registration changed (registered, moved, retired; "*" the catch-all,
    which may own any sender): its quarantined and held messages keyed by their owner now, so
    they leave the old owner's lists and reach the new one's. One filtered Query of each shard
    of each status (small: staff keep them short); each write is on condition the status has not moved on.
    Returns how many were rekeyed."""
    owners: dict[str, str] = {}
    moved = 0
    try:
        for status in LISTED:
            mine = None if sender == "*" else FeedMessageModel.sender == sender
            shards = (
                FeedMessageModel.by_status.query(key, filter_condition=mine, page_size=500)
                for key in every_shard(status)
            )
            for item in (item for shard in shards for item in shard):
                message_sender = item.sender or ""
                if message_sender not in owners:
                    owners[message_sender] = owner_of(message_sender)
                key = org_status(owners[message_sender], status)
                if item.org_status == key:
                    continue
                action = FeedMessageModel.org_status.set(key) if key else FeedMessageModel.org_status.remove()
                try:
                    FeedMessageModel(message_key=item.message_key).update(
                        actions=[action], condition=FeedMessageModel.status == status
                    )
                    moved += 1
                except PynamoDBException as error:
                    if not conditional_failure(error):
                        raise
    except PynamoDBException as error:
        raise DependencyUnavailable(_UNAVAILABLE) from error
    return moved


class DynamoFeedSources:
    """Senders registered to organizations, with the authority for their bare identifiers."""

    def feed_source(self, sender: str) -> FeedSource | None:
        """The organization a sender files for: its own registration, else the catch-all."""
        for key in (f"sender#{sender}", "sender#*"):
            try:
                item = FeedSourceModel.get(key)
            except FeedSourceModel.DoesNotExist:
                continue
            except PynamoDBException as error:
                raise DependencyUnavailable(_UNAVAILABLE) from error
            if not item.files_for:
                # Retired by its organization's admin: quarantined (a replay files it once someone
                # registers it), never passed on to the catch-all's organization.
                return None
            return _source(sender, item)
        return None

    def held_by(self, sender: str) -> str:
        try:
            item = FeedSourceModel.get(f"sender#{sender}", consistent_read=True)
        except FeedSourceModel.DoesNotExist:
            return ""
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return item.files_for or item.retired_by or ""

    def add_feed_source(self, source: FeedSource) -> None:
        """The operator's registration (seed, one-off script): whoever held the sender before."""
        self._list_sender(source.organization_id, source.sender)
        try:
            FeedSourceModel(
                organization_id=f"sender#{source.sender}",
                files_for=source.organization_id,
                default_authority=source.default_authority or None,
                files_test_messages=source.files_test_messages or None,
                authorities=[list(pair) for pair in source.authorities] or None,
                category_codes=[list(pair) for pair in source.category_codes] or None,
            ).save()  # (operator: any)
        except PutError as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        rekey_listed(source.sender)

    def feed_sources_of(self, organization_id: str, limit: int = 100) -> list[FeedSource]:
        """The senders that file for this organization, by name: one read of its list, then each
        sender's own registration (the list may name one moved elsewhere or retired since)."""
        try:
            listed = OrganizationSendersModel.get(f"feed-sources#{organization_id}", consistent_read=True)
        except OrganizationSendersModel.DoesNotExist:
            return []
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        sources = []
        for sender in sorted(listed.senders or ())[:limit]:
            try:
                item = FeedSourceModel.get(f"sender#{sender}", consistent_read=True)
            except FeedSourceModel.DoesNotExist:
                continue
            except PynamoDBException as error:
                raise DependencyUnavailable(_UNAVAILABLE) from error
            if item.files_for == organization_id:
                sources.append(_source(sender, item))
        return sources

    def claim_feed_source(self, source: FeedSource) -> None:
        """Register a sender to the organization, or change its default authority; Conflict when
        another organization holds it (the condition decides, so two admins cannot both win)."""
        self._list_sender(source.organization_id, source.sender)
        free = (
            FeedSourceModel.organization_id.does_not_exist()
            | (FeedSourceModel.files_for == source.organization_id)
            | ((FeedSourceModel.files_for == "") & (FeedSourceModel.retired_by == source.organization_id))
        )
        authority = (
            FeedSourceModel.default_authority.set(source.default_authority)
            if source.default_authority
            else FeedSourceModel.default_authority.remove()
        )
        test_messages = (
            FeedSourceModel.files_test_messages.set(True)
            if source.files_test_messages
            else FeedSourceModel.files_test_messages.remove()
        )
        declared = (
            FeedSourceModel.authorities.set([list(pair) for pair in source.authorities])
            if source.authorities
            else FeedSourceModel.authorities.remove()
        )
        categories = (
            FeedSourceModel.category_codes.set([list(pair) for pair in source.category_codes])
            if source.category_codes
            else FeedSourceModel.category_codes.remove()
        )
        try:
            FeedSourceModel(organization_id=f"sender#{source.sender}").update(
                actions=[
                    FeedSourceModel.files_for.set(source.organization_id),
                    FeedSourceModel.retired_by.remove(),
                    authority,
                    test_messages,
                    declared,
                    categories,
                ],
                condition=free,
            )
        except PynamoDBException as error:
            if conditional_failure(error):
                self._unlist_sender(source.organization_id, source.sender)
                raise Conflict("This sender is registered to another organization.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        rekey_listed(source.sender)

    def retire_feed_source(self, organization_id: str, sender: str) -> bool:
        """Stop filing a sender for the organization (False if it does not file for it). The item
        stays, emptied: the API may update the organizations table, not delete from it."""
        try:
            FeedSourceModel(organization_id=f"sender#{sender}").update(
                actions=[
                    FeedSourceModel.files_for.set(""),
                    FeedSourceModel.retired_by.set(organization_id),
                    FeedSourceModel.default_authority.remove(),
                    FeedSourceModel.files_test_messages.remove(),
                    FeedSourceModel.authorities.remove(),
                    FeedSourceModel.category_codes.remove(),
                ],
                condition=FeedSourceModel.files_for == organization_id,
            )
        except PynamoDBException as error:
            if not conditional_failure(error):
                raise DependencyUnavailable(_UNAVAILABLE) from error
            return False
        self._unlist_sender(organization_id, sender)
        rekey_listed(sender)
        return True

    def _list_sender(self, organization_id: str, sender: str) -> None:
        # Listed before it is registered: a failure in between leaves a name the list skips,
        # never a registration the organization cannot see.
        self._senders_update(organization_id, OrganizationSendersModel.senders.add({sender}))

    def _unlist_sender(self, organization_id: str, sender: str) -> None:
        self._senders_update(organization_id, OrganizationSendersModel.senders.delete({sender}))

    @staticmethod
    def _senders_update(organization_id: str, action: Any) -> None:
        try:
            OrganizationSendersModel(organization_id=f"feed-sources#{organization_id}").update(actions=[action])
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
