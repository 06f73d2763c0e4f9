"""One task and every operation on it: approve/reject/return, acknowledge, 转办, 加签/减签,
退回 to an earlier step, 沟通 (ask and answer), and a file for one's opinion. Each makes the
checks the task page makes (web/approver/task.py, operations.py) before the same engine call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, request

from approvals.service import Upload
from web.api import convert, schemas
from web.api.blueprint import CONFLICT, TAGS, api, needs
from web.api.idempotent import once
from web.engine import engine
from web.requestview import record_view, task_or_403
from web.users import decides, holds, me, offices

TAG = [TAGS["tasks"]]


@api.get("/tasks/<int:task_id>", tags=TAG, responses={200: schemas.TaskOut})
@needs("read")
def get_task(path: schemas.TaskPath) -> dict[str, Any]:
    """A task the caller holds, or closed (opening it marks it 已阅, as the page does)."""
    task = task_or_403(path.task_id)
    if task.is_open and task.assignee == me().id and task.opened_at is None:
        engine().service.mark_opened(task.id, me().id)
    record_view(engine().queries.request(task.request_id), "task")
    return convert.task(task)


def _held(task_id: int, run: Callable[[], Any]) -> dict[str, Any]:
    """The operations' common checks (the page's ``_on_task``), then the engine call, once."""
    task = task_or_403(task_id)
    if not holds(task):
        abort(403)
    done = once(run, lambda value: f"/api/v1/tasks/{value if isinstance(value, int) else task_id}")
    new = int(done.location.rsplit("/", 1)[-1]) if done.location else task_id
    return schemas.Done(task_id=new, request_id=task.request_id, replayed=done.replayed).model_dump(mode="json")


@api.post("/tasks/<int:task_id>/decide", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("tasks:write")
@decides
def decide(path: schemas.TaskPath, body: schemas.DecideBody, header: schemas.IdemHeader) -> dict[str, Any]:
    """Approve, reject or return (reject and return need a comment)."""
    done = once(lambda: engine().service.decide(path.task_id, me().id, body.decision, body.comment),
                lambda _v: f"/api/v1/tasks/{path.task_id}")
    return schemas.Done(task_id=path.task_id, replayed=done.replayed).model_dump(mode="json")


@api.post("/tasks/<int:task_id>/acknowledge", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("tasks:write")
def acknowledge(path: schemas.TaskPath, header: schemas.IdemHeader) -> dict[str, Any]:
    """Acknowledge a filing (备案) or copy (抄送)."""
    return _held(path.task_id, lambda: engine().service.acknowledge(path.task_id, me().id))


@api.post("/tasks/<int:task_id>/transfer", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("tasks:write")
@decides
def transfer(path: schemas.TaskPath, body: schemas.TransferBody, header: schemas.IdemHeader) -> dict[str, Any]:
    """转办: hand the task to someone else, with a reason; answers the new task."""
    return _held(path.task_id, lambda: engine().service.transfer(path.task_id, me().id, body.to, body.reason,
                                                                 offices()))


@api.post("/tasks/<int:task_id>/add-approver", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("tasks:write")
@decides
def add_approver(path: schemas.TaskPath, body: schemas.AddApproverBody,
                 header: schemas.IdemHeader) -> dict[str, Any]:
    """加签: someone gives an opinion before (前加签) or decides after (后加签) the holder."""
    return _held(path.task_id, lambda: engine().service.add_approver(path.task_id, me().id, body.person, body.mode,
                                                                     body.reason, offices()))


@api.post("/tasks/<int:task_id>/remove-approver", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("tasks:write")
@decides
def remove_approver(path: schemas.TaskPath, header: schemas.IdemHeader) -> dict[str, Any]:
    """减签: ``task_id`` is the added person's task."""
    done = once(lambda: engine().service.remove_approver(path.task_id, me().id),
                lambda _v: f"/api/v1/tasks/{path.task_id}")
    return schemas.Done(task_id=path.task_id, replayed=done.replayed).model_dump(mode="json")


@api.post("/tasks/<int:task_id>/send-back", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("tasks:write")
@decides
def send_back(path: schemas.TaskPath, body: schemas.SendBackBody, header: schemas.IdemHeader) -> dict[str, Any]:
    """退回到已办环节: send the request back to an earlier step's person."""
    return _held(path.task_id, lambda: engine().service.send_back(path.task_id, me().id, body.to_task_id,
                                                                  body.reason, offices()))


@api.post("/tasks/<int:task_id>/ask", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("tasks:write")
@decides
def ask(path: schemas.TaskPath, body: schemas.AskBody, header: schemas.IdemHeader) -> dict[str, Any]:
    """沟通: ask someone a question about the task (the task stays with the holder)."""
    return _held(path.task_id, lambda: engine().service.ask(path.task_id, me().id, body.person, body.question)
                 and path.task_id)


@api.post("/questions/<int:question_id>/answer", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("tasks:write")
def answer(path: schemas.QuestionPath, body: schemas.AnswerBody, header: schemas.IdemHeader) -> dict[str, Any]:
    """Answer a question put to the caller (沟通)."""
    once(lambda: engine().service.answer(path.question_id, me().id, body.answer),
         lambda _v: f"/api/v1/questions/{path.question_id}")
    return schemas.Done().model_dump(mode="json")


@api.post("/tasks/<int:task_id>/attachments", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("tasks:write")
@decides
def attach(path: schemas.TaskPath, form: schemas.UploadForm, header: schemas.IdemHeader) -> dict[str, Any]:
    """A file for one's opinion (multipart/form-data, field ``file``)."""
    file = request.files.get("file")
    upload = Upload(file.filename or "", file.mimetype or "", file.read()) if file else Upload("", "", b"")
    return _held(path.task_id, lambda: engine().service.attach(path.task_id, me().id, upload) and path.task_id)


@api.post("/tasks/<int:task_id>/report", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("requests:write")
def report(path: schemas.TaskPath, body: schemas.StartBody, header: schemas.IdemHeader) -> dict[str, Any]:
    """The applicant files a report step (返回后报告) with its form fields."""

    task = engine().queries.task(path.task_id)
    if task.kind != "report" or task.assignee != me().id:
        abort(404 if task.kind != "report" else 403)
    done = once(lambda: engine().service.report(path.task_id, me().id, convert.form_fields(body.fields)),
                lambda _v: f"/api/v1/tasks/{path.task_id}")
    return schemas.Done(task_id=path.task_id, request_id=task.request_id, replayed=done.replayed).model_dump(
        mode="json")
