"""Notifications: who must be told what (``events``), the in-app centre (``centre``), the
messages for other channels and their delivery by ``approvals worker`` (``channels``,
``delivery``), and the daily reminders (``scan``). docs/notifications.md describes them.

The transactional outbox: an action's notifications are rows inserted in the action's own
transaction (``approvals/notifications/outbox.py`` calls ``events.write``), so a decision never commits
without its messages nor a message without its decision; the worker delivers them later, so
a slow or failing receiver never holds an action up.
"""
