"""The API's shapes, as pydantic models: they validate what comes in and, through
flask-openapi3, are the OpenAPI 3.1 document's schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class FieldIssue(BaseModel):
    field: str = Field(description="the field refused, as named in the request")
    reason: str = Field(description="why, in the language of Accept-Language")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[FieldIssue] = Field(default_factory=list)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- paths and queries ------------------------------------------------------------------------

class TaskPath(BaseModel):
    task_id: int = Field(ge=1, le=2**31 - 1)


class RequestPath(BaseModel):
    request_id: int = Field(ge=1, le=2**31 - 1)


class TypePath(BaseModel):
    request_type: str = Field(min_length=1, max_length=64)


class QuestionPath(BaseModel):
    question_id: int = Field(ge=1, le=2**31 - 1)


class AttachmentPath(BaseModel):
    attachment_id: int = Field(ge=1, le=2**31 - 1)


class IdemHeader(BaseModel):
    idempotency_key: str | None = Field(None, alias="Idempotency-Key", max_length=200,
                                        description="send the same key again to get the first answer; "
                                        "the action is not done twice")


class Cursor(BaseModel):
    cursor: str | None = Field(None, max_length=40, description="from the last page's next_cursor")
    limit: int = Field(20, ge=1, le=100)


class ListQuery(Cursor):
    type: str | None = Field(None, max_length=64, description="request type")
    status: str | None = Field(None, max_length=16)
    since: date | None = None
    until: date | None = None
    text: str | None = Field(None, max_length=100)


# ---- bodies -------------------------------------------------------------------------------------

class StartBody(Strict):
    fields: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="the process's form fields by name (see GET /processes)")
    business_key: str | None = Field(None, max_length=100,
                                     description="the portal's own key: one request per key and process")


class DecideBody(Strict):
    decision: Literal["approve", "reject", "return"]
    comment: str = Field("", max_length=2000)


class TransferBody(Strict):
    to: str = Field(min_length=1, max_length=64, description="the person's id")
    reason: str = Field("", max_length=500)


class AddApproverBody(Strict):
    person: str = Field(min_length=1, max_length=64)
    mode: Literal["before", "after"]
    reason: str = Field("", max_length=500)


class SendBackBody(Strict):
    to_task_id: int = Field(ge=1, le=2**31 - 1, description="the earlier step's task id")
    reason: str = Field("", max_length=500)


class AskBody(Strict):
    person: str = Field(min_length=1, max_length=64)
    question: str = Field(min_length=1, max_length=2000)


class AnswerBody(Strict):
    answer: str = Field(min_length=1, max_length=2000)


class ReasonBody(Strict):
    reason: str = Field("", max_length=500)


class UploadForm(BaseModel):
    file: Any = Field(json_schema_extra={"type": "string", "format": "binary"})


# ---- answers ---------------------------------------------------------------------------------

class FormField(BaseModel):
    name: str
    type: str
    label: str
    required: bool
    options: list[str] = Field(default_factory=list)
    min: str | None = None
    max: str | None = None
    maxlength: int | None = None


class ProcessOut(BaseModel):
    request_type: str
    name: str
    fields: list[FormField]


class ProcessList(BaseModel):
    items: list[ProcessOut]


class RouteStepOut(BaseModel):
    kind: str
    name: str
    assignee: str
    assignees: list[str] = Field(default_factory=list)


class RouteOut(BaseModel):
    request_type: str
    steps: list[RouteStepOut]


class TaskOut(BaseModel):
    id: int
    request_id: int
    name: str
    kind: str
    status: str
    is_open: bool
    assignee: str
    decided_by: str | None = None
    comment: str = ""
    due_on: date | None = None
    created_at: datetime
    decided_at: datetime | None = None
    round: int


class RequestOut(BaseModel):
    id: int
    request_type: str
    applicant: str
    status: str
    round: int
    fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    current_steps: list[TaskOut] = Field(default_factory=list)
    timeline: list[TaskOut] = Field(default_factory=list)


class RequestSummary(BaseModel):
    id: int
    request_type: str
    applicant: str
    status: str
    created_at: datetime


class Created(BaseModel):
    id: int
    location: str
    replayed: bool = False


class Done(BaseModel):
    ok: bool = True
    task_id: int | None = None
    request_id: int | None = None
    replayed: bool = False


class RequestPage(BaseModel):
    items: list[RequestSummary]
    total: int
    next_cursor: str | None = None


class TaskPage(BaseModel):
    items: list[TaskOut]
    total: int
    total_capped: bool = False
    next_cursor: str | None = None


class NotificationOut(BaseModel):
    id: int
    kind: str
    request_id: int | None = None
    task_id: int | None = None
    text: str
    created_at: datetime
    read: bool


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    total: int
    next_cursor: str | None = None


class Counts(BaseModel):
    decisions: int
    notices: int
    reports: int
    unread: int
    questions: int
