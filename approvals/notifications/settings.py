"""Which channels are on for whom (``channel_settings``). An organization turns a group robot on
(its webhook URL: every notification about the organization's requests is posted to that
group) and may turn e-mail off for everyone; a person gives their e-mail address (on) and may
turn a robot off for their own notifications.

Set with ``approvals notify set`` (docs/notifications.md). With a data key configured, targets
and secrets are stored sealed (SM4-GCM, approvals/crypto/atrest.py); ``targets`` hands them on
sealed (the outbox keeps them so) and ``plain`` opens one where it is used."""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection, delete, insert, or_, select

from approvals import text as textrules
from approvals.crypto import atrest
from approvals.crypto.rotate import SECRET, TARGET
from approvals.errors import FieldError, Issue
from approvals.notifications import addresses
from approvals.notifications.channels import NAMES
from approvals.store.database import Database
from approvals.store.models import ChannelSetting

TARGET_LENGTH, SECRET_LENGTH = 500, 200  # the columns' lengths (PostgreSQL refuses longer)
ADDRESS_LENGTH = 254  # RFC 5321's limit for an address in a forward path
ONE_ADDRESS = "holds more than one address, or a space or line break; give exactly one address"
NOT_AN_ADDRESS = "is not an e-mail address: "


def email_address(value: str) -> str:
    """``value`` as exactly one e-mail address (normalized: the domain as IDNA expects), or
    FieldError on ``email`` naming the value and why. email-validator checks the syntax
    (``check_deliverability=False``: no DNS look-up while a page waits); before it, the text
    rule (no NUL, no control or text-direction characters) and "one address, no line breaks",
    so a value can neither smuggle a second recipient nor a mail header."""
    value = value.strip()
    problem = textrules.problem(value, ADDRESS_LENGTH)
    if problem is None and (re.search(r"[\s,;]", value) or value.count("@") > 1):
        problem = ONE_ADDRESS
    if problem is None:
        try:
            return str(validate_email(value, check_deliverability=False).normalized)
        except EmailNotValidError as exc:
            problem = f"{NOT_AN_ADDRESS}{exc}"
    raise FieldError([Issue("email", textrules.short(value), problem)])


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
    if enabled and channel != "email":
        addresses.check_url("target", target)  # no loopback/private address unless the operator allows
    if enabled and channel == "email" and person is not None:
        target = email_address(target)
    textrules.checked("target", target, TARGET_LENGTH)
    textrules.checked("secret", secret, SECRET_LENGTH)
    with db.writing() as conn:
        conn.execute(delete(ChannelSetting).where(ChannelSetting.org_id == org_id, ChannelSetting.channel == channel,
                                                  ChannelSetting.person_id.is_(None) if person is None
                                                  else ChannelSetting.person_id == person))
        conn.execute(insert(ChannelSetting).values(org_id=org_id, person_id=person, channel=channel,
                                                   target=atrest.seal_secret(target, TARGET),
                                                   secret=atrest.seal_secret(secret, SECRET), enabled=enabled))


def plain_target(stored: str) -> str:
    """A stored target (address or webhook URL) opened: sealed or not, as it was given."""
    return atrest.open_secret(stored, TARGET)


def plain_secret(stored: str) -> str:
    return atrest.open_secret(stored, SECRET)


def of_person(db: Database, org_id: str, person: str) -> tuple[dict[str, ChannelSetting], dict[str, ChannelSetting]]:
    """(the person's own settings, the organization's), by channel: what a settings page shows."""
    with db.reading() as s:
        found = s.scalars(select(ChannelSetting).where(ChannelSetting.org_id == org_id, or_(
            ChannelSetting.person_id == person, ChannelSetting.person_id.is_(None)))).all()
    return ({r.channel: r for r in found if r.person_id == person},
            {r.channel: r for r in found if r.person_id is None})
