"""沟通 (ask) and 已阅 (first opened).

Whoever holds an open decision on a request may ask anyone in the chart (the applicant
included) a question without deciding; the person asked answers in words and, if they like,
a file (checked by content, ``approvals/uploads.py``). Both appear in the request's trail.
Approvers may attach a file to their decision the same way (``attach``).

A question is open while it is unanswered and its request is in progress (``LIVE``): once the
request ends (终止, withdrawn, decided) nobody is asked to answer any more; the question stays
in the trail, marked closed.

已阅: the first time the holder opens their task, the time is kept on the task row and in the
audit trail; later openings change nothing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select, update

from approvals import text, uploads
from approvals.audit.chain import Entry
from approvals.errors import ConflictError, FieldError, InvalidStateError, Issue, NotPermittedError, UnknownError
from approvals.notifications.outbox import Outbox
from approvals.operations.base import on_request, on_task, require_holder
from approvals.store import rows
from approvals.store.database import RACE
from approvals.store.models import QUESTIONS_OPEN_WHILE, Attachment, Question, Request

if TYPE_CHECKING:
    from approvals.operations.action import Host, Upload


LIVE = QUESTIONS_OPEN_WHILE  # a request in progress: its questions are open


class UnknownQuestionError(UnknownError):
    def __init__(self, question_id: int) -> None:
        super().__init__(f"no question #{question_id}")


def ask(service: Host, task_id: int, actor: str, person: str, question: str) -> int:
    """The holder of ``task_id`` asks ``person`` about its request; returns the question's id."""
    question = _words("question", question)
    with on_task(service, task_id) as action:
        task = require_holder(action, actor, "asked about")
        person = (person or "").strip()
        req = action.request
        if person == actor:
            raise FieldError([Issue("person", person, "is you: ask someone else")])
        if person not in action.chart.people:
            raise FieldError([Issue("person", person, f"is not in the org chart of {action.chart.organization.name} "
                                                     "(has left, or works elsewhere)")])
        qid = action.conn.execute(insert(Question).returning(Question.id), {
            "request_id": req.id, "task_id": task.id, "asked_by": actor, "asked_to": person,
            "question": question, "asked_at": action.now, "revision": 1}).scalar_one()
        action.out.record(Entry(actor, "asked", req.id, task.id, comment=question,
                                orgchart_version=action.chart.version, detail={"to": person, "question_id": qid}))
        action.out.signal("asked", request_id=req.id, task_id=task.id, question_id=qid, actor=actor, person=person,
                          question=question)
    return qid


def answer(service: Host, question_id: int, actor: str, words: str, upload: Upload | None = None) -> None:
    """The person asked answers, once; an attachment is checked by its content."""
    words = _words("answer", words)
    stored = _checked_upload("attachment", upload)
    with service.db.reading(snapshot=False) as s:
        request_id = s.scalar(select(Question.request_id).where(Question.id == question_id))
    if request_id is None:
        raise UnknownQuestionError(question_id)
    with on_request(service, request_id) as action:
        q = action.conn.execute(select(Question).where(Question.id == question_id)).one()
        if actor != q.asked_to:
            raise NotPermittedError(f"question #{q.id} was put to {q.asked_to}, not {actor}")
        if q.answered_at is not None:
            raise ConflictError(f"question #{q.id} was already answered at {q.answered_at:%Y-%m-%d %H:%M}")
        if action.request.status not in LIVE:
            raise InvalidStateError(f"request #{request_id} is {action.request.status}; its questions are closed")
        attachment_id = _store(action.conn, request_id, f"question:{q.id}", stored, action.now)
        done = action.conn.execute(
            update(Question).where(Question.id == q.id, Question.revision == q.revision)
            .values(answer=words, answered_at=action.now, attachment_id=attachment_id, revision=q.revision + 1))
        if done.rowcount != 1:
            raise ConflictError(RACE)
        action.out.record(Entry(actor, "answered", request_id, q.task_id, comment=words,
                                detail={"question_id": q.id, "asked_by": q.asked_by,
                                        "attachment": stored[0] if stored else None}))
        action.out.signal("answered", request_id=request_id, question_id=q.id, actor=actor, asked_by=q.asked_by,
                          task_id=q.task_id, answer=words)


def attach(service: Host, task_id: int, actor: str, upload: Upload) -> int:
    """A file for the decision the holder is about to make (field ``decision:<task id>``)."""
    stored = _checked_upload("attachment", upload)
    with on_task(service, task_id) as action:
        task = require_holder(action, actor, "given an attachment")
        attachment_id = _store(action.conn, action.request.id, f"decision:{task.id}", stored, action.now)
        assert attachment_id is not None and stored is not None
        action.out.record(Entry(actor, "attached", action.request.id, task.id,
                                detail={"step": task.name, "filename": stored[0], "attachment_id": attachment_id}))
    return attachment_id


def mark_opened(service: Host, task_id: int, actor: str) -> bool:
    """已阅: the first opening of an open task by its assignee (False: not the first, or not theirs)."""
    now = service.clock.now()
    out = Outbox()
    with service.db.writing() as conn:
        if not rows.mark_opened(conn, task_id, actor, now):
            return False
        task = rows.task(conn, task_id)
        assert task is not None
        out.record(Entry(actor, "opened", task.request_id, task_id, detail={"step": task.name}))
        out.signal("opened", request_id=task.request_id, task_id=task_id, actor=actor)
        out.write(conn, now)
    out.send(service)
    return True


def open_questions(conn: Connection, request_id: int) -> list[tuple[int, str]]:
    """(id, person asked) of the request's questions not answered yet."""
    return [(r.id, r.asked_to) for r in conn.execute(
        select(Question.id, Question.asked_to).where(Question.request_id == request_id, Question.answered_at.is_(None))
        .order_by(Question.id))]


def is_open(question: Question, request: Request) -> bool:
    """Waiting for an answer: not answered, and its request still in progress."""
    return question.answered_at is None and request.status in LIVE


def _words(field: str, value: str) -> str:
    value = text.checked(field, value or "").strip()
    if not value:
        raise FieldError([Issue(field, "", "write something: it goes into the request's trail")])
    return value


def _checked_upload(field: str, upload: Upload | None) -> tuple[str, str, bytes] | None:
    if upload is None or (not upload.filename and not upload.data):
        return None
    name, content_type = uploads.check(field, upload.filename, upload.data)
    return name, content_type, upload.data


def _store(conn: Connection, request_id: int, field: str, stored: tuple[str, str, bytes] | None,
           now: datetime) -> int | None:
    if stored is None:
        return None
    name, content_type, data = stored
    return int(conn.execute(insert(Attachment).returning(Attachment.id), {
        "request_id": request_id, "field": field, "filename": name, "content_type": content_type,
        "data": data, "sha256": hashlib.sha256(data).hexdigest(), "created_at": now}).scalar_one())

