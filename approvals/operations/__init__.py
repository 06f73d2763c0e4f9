"""Operations on an open task or request, one module per family (STYLE.md habit 10):

    transfer.py          转办 hand my task to someone else
    countersign_add.py   加签 before / after me, 减签 remove the one I added
    rewind.py            拿回 take back my decision, 退回 send back to an earlier step
    terminate.py         终止 an administrator ends a request
    ask.py               沟通 ask a question, answer it; 已阅 first opened

Each operation is one transaction opened by ``base.on_task`` / ``base.on_request``: the
request is locked first, rows are written with revision checks, and audit entries and
signals go through one Outbox (written in the transaction, sent after the commit).
``ApprovalService`` delegates to these; docs/operations.md says who may do what.
"""
