"""Tables. Schema changes go through Alembic (``approvals/store/migrations``), never create_all."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class OrgChartVersion(Base):
    """Every saved org chart, kept forever: tasks and audit entries point at the version used."""

    __tablename__ = "orgchart_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")


class ProcessVersion(Base):
    """The BPMN text a request started on, by content hash (a request never changes version)."""

    __tablename__ = "process_versions"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_name: Mapped[str] = mapped_column(String(200))
    xml: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Request(Base):
    __tablename__ = "requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    request_type: Mapped[str] = mapped_column(String(64))
    process_id: Mapped[str] = mapped_column(String(128))
    process_sha: Mapped[str] = mapped_column(ForeignKey("process_versions.sha256"))
    applicant: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    fields_json: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text)
    round: Mapped[int] = mapped_column(Integer, default=1)  # 1 + number of resubmissions
    revision: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock
    orgchart_version: Mapped[str] = mapped_column(String(64))
    outcome_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_requests_applicant", "applicant", "id"),
        Index("ix_requests_org_status", "org_id", "status"),
    )
    # Two decisions racing on one request: the second UPDATE matches no row and fails.
    __mapper_args__ = {"version_id_col": revision}


class Task(Base):
    """A step of a request: open ones form the inboxes; closed ones are the timeline."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    round: Mapped[int] = mapped_column(Integer)
    spiff_id: Mapped[str | None] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # approve consent record report file copy
    role: Mapped[str] = mapped_column(String(64))
    principal: Mapped[str] = mapped_column(String(64))  # the post holder the role resolved to
    assignee: Mapped[str] = mapped_column(String(64))  # who sees it (principal or delegate)
    unit_id: Mapped[str | None] = mapped_column(String(64))  # duty unit whose members may act
    receiver: Mapped[str | None] = mapped_column(String(64))  # report steps
    orgchart_version: Mapped[str] = mapped_column(String(64))
    is_open: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    result_json: Mapped[str | None] = mapped_column(Text)  # report fields
    due_on: Mapped[date | None] = mapped_column(Date)
    urge_count: Mapped[int] = mapped_column(Integer, default=0)
    urged_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Migration 0006 (approvals/operations): 已阅, and rows an operation made (转办, 加签, 拿回, 退回).
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    origin: Mapped[str | None] = mapped_column(String(16))  # transfer before after take_back send_back
    origin_by: Mapped[str | None] = mapped_column(String(64))
    origin_task_id: Mapped[int | None] = mapped_column(Integer)
    # Migration 0009 (approvals/operations/handover.py): "post" once a chart save handed a person's row back
    # to the post; None: as ``origin`` says (none: the post; 转办/加签: the person named).
    holder_from: Mapped[str | None] = mapped_column(String(8))

    __mapper_args__ = {"version_id_col": revision}
    __table_args__ = (
        Index("ix_tasks_inbox", "assignee", "is_open", "id"),
        Index("ix_tasks_unit_inbox", "unit_id", "is_open", "id"),
        Index("ix_tasks_inbox_kind", "assignee", "is_open", "kind"),
        Index("ix_tasks_unit_inbox_kind", "unit_id", "is_open", "kind"),
        Index("ix_tasks_request", "request_id", "id"),
        Index("ix_tasks_decided_by", "decided_by", "decided_at"),
    )


class AuditEntry(Base):
    """Append-only; each row carries the hash of the one before (see approvals/audit/chain.py)."""

    __tablename__ = "audit_entries"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    orgchart_version: Mapped[str | None] = mapped_column(String(64))
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The chain it belongs to (issue 24): an organization id, "" for the system chain.
    chain: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The seq of the entry before it in its chain (seqs interleave across chains); NULL on
    # entries written before migration 0017, read as seq - 1. A hint for naming a removed
    # entry: the link itself is ``prev_hash``.
    prev_seq: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_audit_request", "request_id", "seq"),
        Index("ix_audit_chain", "chain", "seq"),
        Index("ix_audit_actor", "actor", "seq"),
        Index("ix_audit_at", "at"),
    )


class AuditHead(Base):
    """One row per chain (issue 24): its tip. Locking it serialises appends to that chain only;
    it also exposes a cut tail."""

    __tablename__ = "audit_heads"
    chain: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(16), default="sha256", server_default="sha256")


class AuditSegment(Base):
    """Where the chain's hash function changed (issue 22): entries from ``first_seq`` on, up to
    the next segment, are hashed with ``algorithm``. No rows: SHA-256 throughout."""

    __tablename__ = "audit_segments"
    first_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    algorithm: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    chain: Mapped[str] = mapped_column(String(64), default="", server_default="")


class Credential(Base):
    __tablename__ = "credentials"
    person_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # Sign-in sessions carry this number; bumping it (sign-out, new password, disabling)
    # ends every session of the person in every worker (approvals/identity/signin.py).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Delegation(Base):
    """A person names an acting approver for a date range (inclusive)."""

    __tablename__ = "delegations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principal: Mapped[str] = mapped_column(String(64), index=True)
    delegate: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class SignInThrottle(Base):
    """Failed sign-ins per account name or client address, shared by every worker: a window's
    count, and the lockout it led to. Rows past ``expires_at`` are pruned (approvals/identity/signin.py)."""

    __tablename__ = "sign_in_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "account:NAME", "address:IP"
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class IdempotencyKey(Base):
    """A form's key, recorded in the transaction of the action it caused, so the same form
    sent again is answered with that outcome instead of running the action twice
    (store/idempotency.py; kept for a day, docs/reliability.md)."""

    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64))
    endpoint: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(500))  # where the first answer sent the user
    target: Mapped[str | None] = mapped_column(String(500))  # the address the form was sent to (None: before 0009)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)


# ---- audit protection and the personal-data access log (migration 0004) --------------------


class Deployment(Base):
    """One row: this database's identity, signed into every audit checkpoint so a checkpoint
    of one deployment is never taken as proof for another (or for a database put in its place)."""

    __tablename__ = "deployment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuditVerification(Base):
    """What a CLI or worker run of ``audit verify`` / ``audit checkpoint`` found, so a page can
    show it without walking the chain. A record, not a proof: the proof is the signed file."""

    __tablename__ = "audit_verifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(16))  # cli, worker
    mode: Mapped[str] = mapped_column(String(16))  # full, incremental, checkpoint
    ok: Mapped[bool] = mapped_column(Boolean)
    from_seq: Mapped[int] = mapped_column(Integer)  # entries after this one were walked
    to_seq: Mapped[int] = mapped_column(Integer)
    to_hash: Mapped[str] = mapped_column(String(64))
    checked: Mapped[int] = mapped_column(Integer)
    problem: Mapped[str] = mapped_column(Text, default="")
    checkpoint: Mapped[str] = mapped_column(String(255), default="")  # file name, when one was used


class AccessLogEntry(Base):
    """Who saw a request's personal data, when, and in what capacity (PIPL): append-only."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    viewer: Mapped[str] = mapped_column(String(64))
    org_id: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[int | None] = mapped_column(Integer)  # None: an export spanning requests
    capacity: Mapped[str] = mapped_column(String(32))  # approver, past_decider, inspector, ...
    what: Mapped[str] = mapped_column(String(32))  # request, task, attachment, trail, export
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_access_viewer", "viewer", "at"),
        Index("ix_access_request", "request_id", "at"),
        Index("ix_access_at", "at"),
    )


# ---- notifications (migration 0007) ------------------------------------------------------


class Notification(Base):
    """Something a person must know (a new task, an urge, a decision, a report due), written in
    the transaction of the action that caused it; the in-app notification centre lists these.
    ``dedup_key`` makes a reminder once per (task, day) however many workers scan."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))  # approvals/notifications/events.py KINDS
    request_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer)
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON: names, step, comment, days
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When the worker turned it into outbox messages for the recipient's channels (None: not yet).
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_notifications_person", "person_id", "read_at", "id"),
                      Index("ix_notifications_dispatch", "dispatched_at", "id"))


class OutboxMessage(Base):
    """One delivery of a notification over one channel (e-mail, a group robot), written with the
    notification and delivered by ``approvals worker`` (approvals/notifications/delivery.py)."""

    __tablename__ = "outbox_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(32))  # email, wecom, dingtalk, feishu, webhook
    target: Mapped[str] = mapped_column(String(1000))  # an address or a webhook URL (sealed: issue 22)
    secret: Mapped[str] = mapped_column(String(1000), default="")  # DingTalk/Feishu signing secret (sealed)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending, sent, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    claim: Mapped[str | None] = mapped_column(String(32))  # the delivering worker's token
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)  # a crashed worker's claim expires
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    event_id: Mapped[int | None] = mapped_column(Integer)  # an api_events row's delivery (migration 0016)

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)


class ChannelSetting(Base):
    """Which channels are on: an organization's (``person_id`` None) or a person's, which wins.
    ``target`` is the person's e-mail address or the organization's robot webhook URL."""

    __tablename__ = "channel_settings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(1000), default="")  # sealed when a data key is set (issue 22)
    secret: Mapped[str] = mapped_column(String(1000), default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (Index("ix_channel_settings_org", "org_id", "person_id"),)

# Inboxes list overdue steps first (approvals/reports/queries.py): read in due-date order per holder/unit.
Index("ix_tasks_inbox_due", Task.assignee, Task.is_open, Task.due_on)
Index("ix_tasks_unit_inbox_due", Task.unit_id, Task.is_open, Task.due_on)


class ProcessDeployment(Base):
    """A process version put in force by ``approvals deploy`` or the admin page. The latest row
    per process id is the version new requests start on; ``max(id)`` is the marker every worker
    compares with its cache, so a deployment is picked up without a restart. Never edited."""

    __tablename__ = "process_deployments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("process_versions.sha256"))
    deployed_at: Mapped[datetime] = mapped_column(DateTime)
    deployed_by: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")


# ---- operations on an open task (migration 0006) -------------------------------------------


# A question (沟通) is open while its request is in progress: one that ends (终止, withdrawn,
# completed, rejected) closes its unanswered questions with it (operations/ask.py, reports/queries.py).
QUESTIONS_OPEN_WHILE = ("pending", "approved", "returned")


class Question(Base):
    """沟通: a question about a request, to the applicant or anyone in the chart, and its answer
    (with an optional attachment, stored in ``attachments`` with field ``question:<id>``)."""

    __tablename__ = "questions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    task_id: Mapped[int | None] = mapped_column(Integer)
    asked_by: Mapped[str] = mapped_column(String(64))
    asked_to: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(DateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    attachment_id: Mapped[int | None] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __table_args__ = (
        Index("ix_questions_request", "request_id", "id"),
        Index("ix_questions_asked_to", "asked_to", "answered_at"),
    )


# ---- the open API: tokens, system clients and webhook subscriptions (migration 0011) ------


class ApiClient(Base):
    """A system client of one organization (an OA portal, a 政务钉钉 bridge): it trades its id and
    secret for short-lived access tokens (``approvals/identity/api_access.py``). Only a hash of
    the secret is kept; after a rotation the old secret works until ``old_secret_until``."""

    __tablename__ = "api_clients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    org_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(64))
    old_secret_hash: Mapped[str | None] = mapped_column(String(64))
    old_secret_until: Mapped[datetime | None] = mapped_column(DateTime)
    scopes: Mapped[str] = mapped_column(String(300))  # space-separated
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class ApiToken(Base):
    """A bearer token: a person's personal access token, or an access token issued to a system
    client. Only the SHA-256 of the token is stored (it is 32 random bytes: a slow hash would
    add nothing but latency to every call); ``prefix`` lets its owner recognise it in a list."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[str | None] = mapped_column(String(64))  # None: a client's token
    client_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    scopes: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_api_tokens_person", "person_id", "id"),)


class WebhookSubscription(Base):
    """An organization's webhook: the events it wants, where to send them, and the secret their
    HMAC-SHA256 signature is made with (kept as given: the server must sign with it)."""

    __tablename__ = "webhook_subscriptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(1000))  # sealed when a data key is set (migration 0016)
    secret: Mapped[str] = mapped_column(String(1000))  # sealed likewise: the server must sign with it
    events: Mapped[str] = mapped_column(String(500))  # space-separated event types
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_webhook_subscriptions_org", "org_id"),)


class ApiEvent(Base):
    """Something an integration hears of (``request.approved``, ``task.created``...), written in
    the transaction of the action that caused it, like a notification; the worker turns it into
    signed webhook deliveries and to-do pushes (approvals/notifications/webhooks.py). ``dedup_key``
    makes a daily ``task.overdue`` once per (task, day)."""

    __tablename__ = "api_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_api_events_dispatch", "dispatched_at", "id"),)


class TodoLink(Base):
    """A to-do pushed to an outside app (DingTalk 待办, Feishu 三方审批, WeCom): the id that app
    gave it, so the worker can mark it done there when the task closes here."""

    __tablename__ = "todo_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_todo_links_task", "system", "task_id", unique=True),
                      Index("ix_todo_links_request", "system", "request_id"))


class TodoSetting(Base):
    """An organization's to-do push into one outside app: its API's base URL, the app's
    credentials (JSON, sealed when a data key is set) and the system client its staff's
    approve/reject callbacks act through."""

    __tablename__ = "todo_settings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    system: Mapped[str] = mapped_column(String(32))  # dingtalk, feishu, wecom
    api_base: Mapped[str] = mapped_column(String(1000))
    credentials: Mapped[str] = mapped_column(String(2000))
    client_id: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_todo_settings_org", "org_id", "system", unique=True),)


class BusinessKey(Base):
    """A portal's own key for a request it started: one request per key and process. Claimed
    before the request is submitted and pointed at it after (``store/business_keys.py``)."""

    __tablename__ = "business_keys"
    process_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    business_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    request_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


# ---- timers on a step (migration 0014, approvals/operations/timeouts.py) --------------------


class StepTimer(Base):
    """A timer of an open task (a boundary timer of its step, docs/processes.md "Timers on a
    step"), armed when the task opens and fired by the worker at ``fire_at``: the scan reads
    ``ix_step_timers_due`` only. A worker claims a batch (``claim``, until ``claimed_until``);
    firing moves ``fire_at`` on (a repeating reminder) or deletes the row, in the transaction of
    what it did, on the condition that the claim is still its own: fired once, however many
    workers scan. Rows of a task closed since are deleted by the scan."""

    __tablename__ = "step_timers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[int] = mapped_column(Integer)
    timer_id: Mapped[str] = mapped_column(String(128))  # the boundaryEvent's id
    fire_at: Mapped[datetime] = mapped_column(DateTime)
    fired: Mapped[int] = mapped_column(Integer, default=0)  # times fired so far (a repeating reminder)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_step_timers_due", "fire_at"), Index("ix_step_timers_task", "task_id"))

class UsedOnce(Base):
    """Values a sign-in protocol lets be used only once, remembered until they expire anyway:
    an OIDC state and nonce, a CAS ticket, a TOTP code's time step (approvals/identity/once.py).
    The primary key refuses the second use in every worker."""

    __tablename__ = "identity_used_once"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # "oidc-state:…", "totp:person:step"
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class TwoFactor(Base):
    """A person's TOTP secret (RFC 6238), their recovery codes (hashed) and the failure count
    that throttles guessing (approvals/identity/totp.py)."""

    __tablename__ = "two_factor"
    person_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    recovery: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of werkzeug hashes
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
