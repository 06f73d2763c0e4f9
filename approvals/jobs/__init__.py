"""Scheduled work: ``worker`` runs the jobs beside the server (notifications and reminders,
audit checkpoints, access-log pruning, forgetting old form keys); ``notify`` and ``reminders``
are the notification jobs. They take the whole app (``approvals.app.Approvals``), so they sit
above it; new timers land here.
"""
