"""approvals: an approval engine for public bodies.

BPMN process definitions (``processes/*.bpmn``) encode the routes, org charts
(``orgcharts/*.yaml``) resolve roles to people, and the engine keeps workflow state,
inboxes and a hash-chained audit trail in a SQL database.
"""

__version__ = "0.1.0"
