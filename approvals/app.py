"""The composition root: builds the engine from configuration, for the CLI and the web app.

Every collaborator comes in here (database, processes directory, clock); tests build an
``Approvals`` with a temporary database and a fixed clock through the same function.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from approvals.accounts import Accounts
from approvals.clock import Clock, SystemClock
from approvals.operations.deploy import DatabaseDeployments, ProcessDeployer
from approvals.orgadmin import OrgChartAdmin
from approvals.people.orgchart.external import ExternalOrgCharts
from approvals.people.orgchart.source import SOURCE_ENV, source_from_config
from approvals.process.definitions import DefinitionRegistry
from approvals.reports.queries import Queries
from approvals.service import ApprovalService
from approvals.store.database import Database
from approvals.store.migrate import upgrade
from approvals.store.orgcharts import DatabaseOrgChartSource

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PROCESSES = ROOT / "processes"
DEFAULT_ORGCHARTS = ROOT / "orgcharts"


def processes_dir() -> Path:
    return Path(os.environ.get("APPROVALS_PROCESSES", DEFAULT_PROCESSES))


@dataclass
class Approvals:
    db: Database
    definitions: DefinitionRegistry
    orgcharts: DatabaseOrgChartSource
    service: ApprovalService
    queries: Queries
    admin: OrgChartAdmin
    clock: Clock
    deployer: ProcessDeployer
    accounts: Accounts

    def init_db(self) -> None:
        upgrade(self.db)


def build(database_url: str | None = None, processes: Path | str | None = None,
          clock: Clock | None = None, orgchart_source: str | None = None) -> Approvals:
    db = Database(database_url)
    definitions = DefinitionRegistry(processes or processes_dir(), DatabaseDeployments(db))
    orgcharts: Any = DatabaseOrgChartSource(db, definitions.ids)
    external = orgchart_source or os.environ.get(SOURCE_ENV)
    if external:  # a YAML file or a directory service instead of the database (docs/orgcharts.md)
        orgcharts = ExternalOrgCharts(source_from_config(external, known_processes=definitions.ids()), external)
    clock = clock or SystemClock()
    service = ApprovalService(db, definitions, orgcharts, clock)
    return Approvals(db, definitions, orgcharts, service, Queries(db),
                     OrgChartAdmin(db, orgcharts, clock, service.definition_of), clock,
                     ProcessDeployer(db, definitions, orgcharts.current_all, clock), Accounts(db, orgcharts, clock))
