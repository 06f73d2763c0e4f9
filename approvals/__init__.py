"""approvals: an approval engine for public bodies.

BPMN process definitions (``processes/*.bpmn``) encode the routes, org charts
(``orgcharts/*.yaml``) resolve roles to people, and the engine keeps workflow state,
inboxes and a hash-chained audit trail in a SQL database. Start with ``build()``; the CLI
(``approvals.cli``) and the web UI (``web``) use nothing else.
"""

from approvals import errors, signals
from approvals.app import Approvals, build
from approvals.clock import Clock, FixedClock, SystemClock
from approvals.people.orgchart.model import OrgChart
from approvals.process.routes import Route
from approvals.reports.queries import Queries
from approvals.service import ApprovalService, Upload

__version__ = "0.1.0"

__all__ = [
    "ApprovalService",
    "Approvals",
    "Clock",
    "FixedClock",
    "OrgChart",
    "Queries",
    "Route",
    "SystemClock",
    "Upload",
    "build",
    "errors",
    "signals",
]
