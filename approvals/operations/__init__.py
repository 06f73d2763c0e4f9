"""Everything that changes requests and tasks, one module per family (STYLE.md habit 10):

    action.py            the one-transaction helper every action shares, and ``Host``: what an
                         action needs from whoever runs it (the service passes itself)
    submit.py            submit a request, resubmit a returned one
    decide.py            decide, report (销假), acknowledge, withdraw, urge (催办)
    delegate.py          name an acting approver (代理审批); delegations.py: who acts for whom
    transfer.py          转办 hand my task to someone else
    countersign_add.py   加签 before / after me, 减签 remove the one I added
    rewind.py            拿回 take back my decision, 退回 send back to an earlier step
    terminate.py         终止 an administrator ends a request
    ask.py               沟通 ask a question, answer it; 已阅 first opened
    recording.py         the engine's new steps recorded as task rows, with their entries
    handover.py          a leaver's or a moved person's open tasks handed on (orgadmin.py)
    deploy.py            putting a process version in force for every worker

Each action is one transaction (``action.transaction``; for operations on an open task
``base.on_task`` / ``base.on_request``): the request is locked first, rows are written with
revision checks, and audit entries and signals go through one Outbox (written in the
transaction, sent after the commit). ``ApprovalService`` delegates to these and nothing here
imports it; docs/operations.md says who may do what, docs/architecture.md where this sits.
"""
