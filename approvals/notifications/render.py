"""A notification as a message outside the app: a subject line and a few lines of text in
Chinese (the messages go to Chinese public bodies; the in-app centre follows the UI language)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SUBJECTS = {
    "task": "待审批", "filing": "待签收的备案/抄送", "report_due": "待提交报告", "urged": "催办",
    "returned": "申请被退回", "decided": "审批结果", "moved": "转来的待办", "overdue": "待办已超期",
    "report_late": "报告已超期", "escalated": "下属待办超期提醒", "transferred": "转来的待办", "added": "加签",
    "question": "沟通：请您答复", "answer": "沟通：已答复", "terminated": "申请已终止",
}
MODE = {"before": "在其之前", "after": "在其之后"}
STATUS = {"approved": "已批准", "rejected": "未获批准", "completed": "已办结"}


def render(kind: str, params: dict[str, Any], request_id: int | None, what: str, step: str,
           name: Callable[[str | None], str], link: str = "") -> tuple[str, str]:
    """``what``: the request's type as shown (e.g. 离孝审批); ``step``: the task's name, or "";
    ``link``: the page to act on (``links.link``), a last line when there is one."""
    subject, body = _render(kind, params, request_id, what, step, name)
    return subject, f"{body}\n办理：{link}" if link else body


def _render(kind: str, params: dict[str, Any], request_id: int | None, what: str, step: str,
            name: Callable[[str | None], str]) -> tuple[str, str]:
    subject = f"【审批系统】{SUBJECTS.get(kind, '通知')}：{what} #{request_id}"
    at = f"“{step}”" if step else ""
    lines = {
        "task": f"{what} #{request_id} 的{at}步骤等待您审批。",
        "filing": f"{what} #{request_id} 已报本单位，请签收。",
        "report_due": f"{what} #{request_id} 需在 {params.get('due_on')} 前提交报告。",
        "urged": f"{name(params.get('by'))} 催办 {what} #{request_id}，请尽快审批。",
        "returned": f"{what} #{request_id} 被 {name(params.get('by'))} 退回：{params.get('comment', '')}",
        "decided": f"{what} #{request_id} {STATUS.get(params.get('status', ''), '已办结')}。",
        "moved": _moved(params, f"{what} #{request_id} 的{at}步骤", name),
        "overdue": f"{what} #{request_id} 的{at}步骤已超期 {params.get('days')} 个工作日，请尽快办理。",
        "report_late": f"{what} #{request_id} 的报告已超期 {params.get('days')} 个工作日，请尽快提交。",
        "escalated": f"{name(params.get('holder'))} 办理的 {what} #{request_id} {at}已超期 "
                     f"{params.get('days')} 个工作日。",
        "transferred": f"{name(params.get('by'))} 将 {what} #{request_id} 的{at}步骤转给您办理，"
                       f"理由：{params.get('reason', '')}",
        "added": f"{name(params.get('by'))} 请您{MODE.get(params.get('mode', ''), '')}审批 {what} #{request_id} 的"
                 f"{at}步骤（加签），理由：{params.get('reason', '')}",
        "question": f"{name(params.get('by'))} 就 {what} #{request_id} 向您提问（沟通）：{params.get('question', '')}",
        "answer": f"{name(params.get('by'))} 答复了您就 {what} #{request_id} 的提问：{params.get('answer', '')}",
        "terminated": f"{what} #{request_id} 已被 {name(params.get('by'))} 终止，理由：{params.get('reason', '')}",
    }
    return subject, lines.get(kind, f"{what} #{request_id} 有新的变化。")


def _moved(params: dict[str, Any], task: str, name: Callable[[str | None], str]) -> str:
    """A task that changed hands without anyone deciding: say what happened, never "X 转给您"
    when X did nothing (issue 19)."""
    reason, old, by = params.get("reason"), name(params.get("from")), params.get("by")
    if reason == "orgchart":
        why = f"（{params['comment']}）" if params.get("comment") else ""
        return f"人事变动：{task}原由 {old} 办理，{name(by)} 调整组织架构后改由您办理{why}。"
    if reason == "delegation":
        named = f"{old} 指定您为代理人" if by in (None, params.get("from")) else f"{name(by)} 指定您为 {old} 的代理人"
        return f"代理审批：{named}，{task}由您代为办理。"
    if reason == "delegation ended":
        return f"代理结束：{task}由代理人 {old} 交回您办理。"
    return f"{task}原由 {old} 办理，现改由您办理。"
