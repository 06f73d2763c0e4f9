"""Process: reading and checking BPMN (``definitions``, ``definition_checks``), the expression
language, groups and branches, forms, the one SpiffWorkflow driver (``engine``), the route
preview (``routes``), deadlines and the working-day calendar, and ``approvals check``. Pure: no
database; ``store/`` and everything above build on it.
"""
