"""Org charts: the immutable model, loading and validating YAML, sources, role resolution.

Format: ../shared/specs/orgchart-format.md; what this implementation accepts beyond it and
how to plug in another source: docs/orgcharts.md.
"""

from approvals.people.orgchart.loader import load_orgchart, parse_orgchart
from approvals.people.orgchart.model import CATEGORIES, UNIT_KINDS, Organization, OrgChart, Person, Unit
from approvals.people.orgchart.roles import BUILTIN_ROLES, Resolution, is_known_role, may_act, resolve
from approvals.people.orgchart.source import SOURCE_ENV, OrgChartSource, YamlFileSource, source_from_config

__all__ = [
    "BUILTIN_ROLES",
    "CATEGORIES",
    "SOURCE_ENV",
    "UNIT_KINDS",
    "OrgChart",
    "OrgChartSource",
    "Organization",
    "Person",
    "Resolution",
    "Unit",
    "YamlFileSource",
    "is_known_role",
    "load_orgchart",
    "may_act",
    "parse_orgchart",
    "resolve",
    "source_from_config",
]
