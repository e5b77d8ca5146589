"""The portal inbox in DynamoDB: each account's notices, kept in the records table.

An item lives under partition ``inbox#<account_id>`` with sort key ``notification#<notification_id>``:
adding one is a put on condition that the key is new, so a delivery retried after a failed email
never adds a second, and marking one read is an update inside the caller's own partition (another
account's item cannot be named). The list comes newest first from the table's local index
``by-time``, on ``listed_at`` = ``<created ISO>#<notification_id>``: one Query per page.

Kept for good, like the records they announce (no TTL): a notice is a short title and a few ids.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError, PynamoDBException

from chalicelib.data.dynamo import by_time_page, conditional_failure
from chalicelib.data.models import InboxItemModel, NoticeFoldModel
from chalicelib.errors import DependencyUnavailable
from chalicelib.kernel.keys import timed_key
from chalicelib.notifications.domain import InboxItem
from chalicelib.notifications.folding import Fold, joins

_UNAVAILABLE = "The notifications inbox is unavailable."


def _partition(account_id: str) -> str:
    return f"inbox#{account_id}"


def _key(notification_id: str) -> str:
    return f"notification#{notification_id}"


def _inbox_item(item: InboxItemModel) -> InboxItem:
    return InboxItem(
        account_id=item.patient_id.partition("#")[2],
        notification_id=item.notification_id,
        template=item.template,
        title=item.title,
        created_at=item.created_at,
        read_at=item.read_at,
    )


class DynamoInbox:
    """Each account's portal inbox, one partition per account."""

    def add(self, item: InboxItem) -> bool:
        """Once per notification id: False if the account has it already."""
        model = InboxItemModel(
            patient_id=_partition(item.account_id),
            record_key=_key(item.notification_id),
            listed_at=timed_key(item.created_at, item.notification_id),
            kind="notification",
            notification_id=item.notification_id,
            template=item.template,
            title=item.title,
            created_at=item.created_at,
        )
        try:
            model.save(condition=InboxItemModel.record_key.does_not_exist())
        except PutError as error:
            if conditional_failure(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True

    def page(self, account_id: str, limit: int, after: str = "") -> tuple[list[InboxItem], str]:
        """An account's notices, newest first: one Query (one item more than asked tells whether
        a cursor leads anywhere). The cursor holds a position only; the partition always comes
        from the caller, so a cursor cannot lead into another account's inbox."""
        items, cursor = by_time_page(
            InboxItemModel.by_time, _partition(account_id), limit, after, _UNAVAILABLE, consistent_read=True
        )
        return [_inbox_item(item) for item in items], cursor

    def mark_read(self, account_id: str, notification_id: str, at: datetime) -> InboxItem | None:
        """The item, read (at its first reading: marking it again keeps that time); None if the
        account has no such item."""
        model = InboxItemModel(patient_id=_partition(account_id), record_key=_key(notification_id))
        try:
            model.update(
                actions=[InboxItemModel.read_at.set(InboxItemModel.read_at | at)],
                condition=InboxItemModel.record_key.exists(),
            )
        except PynamoDBException as error:
            if conditional_failure(error):
                return None
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return _inbox_item(model)

    def unread_again(self, account_id: str, notification_id: str, since: datetime) -> bool:
        """Unread again, on condition it was read before ``since``: a notice sent again for the
        same release (a redelivery) finds it read after and changes nothing."""
        model = InboxItemModel(patient_id=_partition(account_id), record_key=_key(notification_id))
        try:
            model.update(actions=[InboxItemModel.read_at.remove()], condition=InboxItemModel.read_at < since)
        except PynamoDBException as error:
            if conditional_failure(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True

    def fold(self, account_id: str, template: str, notification_id: str, at: datetime) -> tuple[str, bool]:
        """The fold a notice released ``at`` belongs to: (its notice's id, whether it joined an
        open fold). It joins the account's open fold of this template (folding.joins), moving its
        last moment on, or starts a new fold under its own id. Each write is on condition the fold
        is still the one read, so two notices at once never both start one: the loser reads again."""
        partition = f"notice-fold#{account_id}"
        for _ in range(3):
            try:
                try:
                    item = NoticeFoldModel.get(partition, template, consistent_read=True)
                    fold = Fold(item.notification_id, item.first_at, item.last_at)
                except NoticeFoldModel.DoesNotExist:
                    item, fold = None, None
                if fold is not None and joins(fold, at):
                    if at > fold.last_at:
                        NoticeFoldModel(patient_id=partition, record_key=template).update(
                            actions=[NoticeFoldModel.last_at.set(at)],
                            condition=(NoticeFoldModel.notification_id == fold.notification_id)
                            & (NoticeFoldModel.last_at == fold.last_at),
                        )
                    return fold.notification_id, True
                NoticeFoldModel(
                    patient_id=partition, record_key=template, notification_id=notification_id, first_at=at, last_at=at
                ).save(
                    condition=NoticeFoldModel.record_key.does_not_exist()
                    if item is None
                    else (NoticeFoldModel.notification_id == item.notification_id)
                    & (NoticeFoldModel.last_at == item.last_at)
                )
                return notification_id, False
            except PynamoDBException as error:
                if not conditional_failure(error):
                    raise DependencyUnavailable(_UNAVAILABLE) from error
        raise DependencyUnavailable(_UNAVAILABLE)  # (contended three times: the queue delivers it again)

    def mark_all_read(self, account_id: str, at: datetime, limit: int) -> tuple[int, bool]:
        """Mark up to ``limit`` unread items read: (how many, whether unread ones remain)."""
        try:
            unread = list(
                InboxItemModel.query(
                    _partition(account_id), limit=limit + 1, filter_condition=InboxItemModel.read_at.does_not_exist()
                )
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        marked = 0
        for item in unread[:limit]:
            try:
                item.update(actions=[InboxItemModel.read_at.set(at)], condition=InboxItemModel.read_at.does_not_exist())
            except PynamoDBException as error:
                if conditional_failure(error):
                    continue  # read meanwhile, in another session
                raise DependencyUnavailable(_UNAVAILABLE) from error
            marked += 1
        return marked, len(unread) > limit
