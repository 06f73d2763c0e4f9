"""沟通 for the person asked: the questions waiting for their answer, and the answer form
(words and, if they like, a file checked by content). Anyone in the chart may be asked,
the applicant included, so this page needs no approver rights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from approvals.errors import ApprovalsError, ConflictError, FieldError, InvalidStateError
from approvals.service import Upload
from approvals.store.models import Attachment, Question, Task
from web import messages
from web.approver import bp
from web.engine import engine
from web.i18n import gettext as _
from web.requestview import waiting_for
from web.users import me


def of_request(request_id: int) -> list[Question]:
    """Every question on a request, for its trail."""
    with engine().db.reading(snapshot=False) as s:
        return list(s.scalars(select(Question).where(Question.request_id == request_id).order_by(Question.id)))


@dataclass(frozen=True)
class OpinionFile:
    attachment: Attachment
    task: Task | None  # the step whose holder attached it


@dataclass(frozen=True)
class Talk:
    """沟通 and files on opinions: shown with every request's timeline (request, task, trail)."""

    questions: list[Question]
    files: list[OpinionFile]


def request_talk(request_id: int) -> Talk:
    questions = of_request(request_id)
    files = [a for a in engine().queries.attachments(request_id) if a.field.startswith("decision:")]
    if not files:
        return Talk(questions, [])
    tasks = {t.id: t for t in engine().queries.steps(request_id)}
    return Talk(questions, [OpinionFile(a, tasks.get(int(a.field.split(":", 1)[1]))) for a in files])


@bp.app_context_processor
def _talk() -> dict[str, Any]:
    """``request_talk(id)`` for the shared request history template (web/templates/applicant)."""
    return {"request_talk": request_talk}


def _page(errors: dict[str, str] | None = None, answered: int | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("approver/questions.html", questions=waiting_for(me().id), errors=errors or {},
                           failed=answered, words=request.form.get("answer", "")), status


@bp.get("/questions")
def questions() -> tuple[str, int]:
    return _page()


@bp.post("/questions/<int:question_id>/answer")
def answer(question_id: int) -> Response | tuple[str, int]:
    file = request.files.get("attachment")
    upload = Upload(file.filename, file.mimetype or "", file.read()) if file and file.filename else None
    try:
        engine().service.answer(question_id, me().id, request.form.get("answer", ""), upload)
    except FieldError as exc:
        return _page(messages.field_errors(exc), question_id, 400)
    except ConflictError as exc:
        flash(messages.explain(exc), "error")
    except InvalidStateError:  # the request ended (终止, withdrawn, decided): its questions closed
        flash(_("This question is closed: its request has ended."), "error")
        return redirect(url_for("approver.questions"))
    except ApprovalsError as exc:
        flash(messages.explain(exc), "error")
        return redirect(url_for("approver.questions"))
    else:
        flash(_("Your answer is in the request's trail."), "success")
    return redirect(url_for("approver.questions"))
