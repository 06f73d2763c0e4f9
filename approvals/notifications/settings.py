"""Which channels are on for whom (``channel_settings``). An organization turns a group robot on
(its webhook URL: every notification about the organization's requests is posted to that
group) and may turn e-mail off for everyone; a person gives their e-mail address (on) and may
turn a robot off for their own notifications.

Set with ``approvals notify set`` (docs/notifications.md)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, or_, select

from approvals.errors import FieldError, Issue
from approvals.notifications.channels import NAMES
from approvals.store.database import Database
from approvals.store.models import ChannelSetting


@dataclass(frozen=True)
class Target:
    channel: str
    target: str
    secret: str


def targets(conn: Connection, org_id: str | None, person: str) -> list[Target]:
    """Where a notification for ``person`` (about a request of ``org_id``) goes besides the app."""
    where = ChannelSetting.person_id == person
    if org_id:
        where = or_(where, (ChannelSetting.org_id == org_id) & ChannelSetting.person_id.is_(None))
    found = conn.execute(select(ChannelSetting).where(where)).all()
    own = {r.channel: r for r in found if r.person_id == person}
    org = {r.channel: r for r in found if r.person_id is None}
    result = []
    mail = own.get("email")
    if mail is not None and mail.enabled and mail.target and getattr(org.get("email"), "enabled", True):
        result.append(Target("email", mail.target, ""))
    for channel, r in org.items():
        if channel != "email" and r.enabled and r.target and getattr(own.get(channel), "enabled", True):
            result.append(Target(channel, r.target, r.secret))
    return result


def put(db: Database, org_id: str, person: str | None, channel: str, target: str = "", secret: str = "",
        enabled: bool = True) -> None:
    """Set one channel for an organization (``person`` None) or a person, replacing the old value."""
    if channel not in NAMES:
        raise FieldError([Issue("channel", channel, f"expected one of {', '.join(NAMES)}")])
    if enabled and channel != "email" and not target.startswith(("https://", "http://")):
        raise FieldError([Issue("target", target, "a robot needs its webhook URL (https://...)")])
    if enabled and channel == "email" and person is not None and "@" not in target:
        raise FieldError([Issue("target", target, "expected the person's e-mail address")])
    with db.writing() as conn:
        conn.execute(delete(ChannelSetting).where(ChannelSetting.org_id == org_id, ChannelSetting.channel == channel,
                                                  ChannelSetting.person_id.is_(None) if person is None
                                                  else ChannelSetting.person_id == person))
        conn.execute(insert(ChannelSetting).values(org_id=org_id, person_id=person, channel=channel, target=target,
                                                   secret=secret, enabled=enabled))


def of_person(db: Database, org_id: str, person: str) -> tuple[dict[str, ChannelSetting], dict[str, ChannelSetting]]:
    """(the person's own settings, the organization's), by channel: what a settings page shows."""
    with db.reading() as s:
        found = s.scalars(select(ChannelSetting).where(ChannelSetting.org_id == org_id, or_(
            ChannelSetting.person_id == person, ChannelSetting.person_id.is_(None)))).all()
    return ({r.channel: r for r in found if r.person_id == person},
            {r.channel: r for r in found if r.person_id is None})
