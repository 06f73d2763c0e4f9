"""Every signal the engine sends, in one place (blinker).

Receivers are how notifications and integrations plug in without touching the engine. All
signals are sent *after* the action's transaction commits, so a receiver always sees saved
state; a receiver that raises does not undo the action (it is logged). The sender is the
``ApprovalService``; every payload is keyword arguments:

==================  ===============================================================
signal              payload
==================  ===============================================================
submitted           request_id, applicant, request_type, round
task_assigned       request_id, task_id, kind, role, assignee, principal, unit_id, due_on
decided             request_id, task_id, actor, decision, comment, on_behalf_of
completed           request_id, status: approved, completed, rejected or withdrawn
returned            request_id, task_id, actor, comment
filed               request_id, task_id, role, unit_id, assignee     (备案)
copied              request_id, task_id, role, unit_id, assignee     (抄送)
acknowledged        request_id, task_id, actor
report_due          request_id, task_id, applicant, receiver, due_on
reported            request_id, task_id, applicant, receiver
urged               request_id, task_id, applicant, assignee
reassigned          request_id, task_id, old_assignee, new_assignee, reason
orgchart_changed    org_id, version, actor
==================  ===============================================================
"""

from blinker import Namespace

_signals = Namespace()

submitted = _signals.signal("submitted")
task_assigned = _signals.signal("task_assigned")
decided = _signals.signal("decided")
completed = _signals.signal("completed")
returned = _signals.signal("returned")
filed = _signals.signal("filed")
copied = _signals.signal("copied")
acknowledged = _signals.signal("acknowledged")
report_due = _signals.signal("report_due")
reported = _signals.signal("reported")
urged = _signals.signal("urged")
reassigned = _signals.signal("reassigned")
orgchart_changed = _signals.signal("orgchart_changed")

# Every signal by name: the outbox sends by name, tests connect to all of them.
ALL = dict(_signals)
