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
completed           request_id, status: approved, completed, rejected, withdrawn or terminated
returned            request_id, task_id, actor, comment
filed               request_id, task_id, role, unit_id, assignee     (备案)
copied              request_id, task_id, role, unit_id, assignee     (抄送)
acknowledged        request_id, task_id, actor
report_due          request_id, task_id, applicant, receiver, due_on
reported            request_id, task_id, applicant, receiver
urged               request_id, task_id, applicant, assignee
reassigned          request_id, task_id, old_assignee, new_assignee, reason: orgchart,
                    delegation or "delegation ended"; actor, comment (a chart save's reason)
orgchart_changed    org_id, version, actor
transferred         request_id, task_id, new_task_id, actor, old_assignee, new_assignee,
                    reason                                           (转办)
approver_added      request_id, task_id, added_task_id, actor, person, mode: before or after,
                    reason                                           (加签)
approver_removed    request_id, task_id, added_task_id, actor, person (减签)
taken_back          request_id, task_id, new_task_id, actor          (拿回)
sent_back           request_id, task_id, to_task_id, new_task_id, actor, assignee, reason
                                                                     (退回到任一已办环节)
terminated          request_id, actor, reason, told: the open holders and the people
                    with an open question               (终止; completed follows)
asked               request_id, task_id, question_id, actor, person, question  (沟通)
answered            request_id, question_id, actor, asked_by, task_id, answer
opened              request_id, task_id, actor                       (已阅, first opening only)
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
transferred = _signals.signal("transferred")
approver_added = _signals.signal("approver_added")
approver_removed = _signals.signal("approver_removed")
taken_back = _signals.signal("taken_back")
sent_back = _signals.signal("sent_back")
terminated = _signals.signal("terminated")
asked = _signals.signal("asked")
answered = _signals.signal("answered")
opened = _signals.signal("opened")

# Every signal by name: the outbox sends by name, tests connect to all of them.
ALL = dict(_signals)
