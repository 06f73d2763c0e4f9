"""Read-side reports: the inboxes and lists' queries, listings, statistics and the printable
审批单. They read; they never write a request or a task.
"""
