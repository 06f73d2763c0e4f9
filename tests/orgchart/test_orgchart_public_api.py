"""The public surface of approvals.people.orgchart is exactly ``__all__``; changing it is deliberate."""

from __future__ import annotations

import approvals.people.orgchart as orgchart


def test_the_package_exports_exactly_its_public_api() -> None:
    assert orgchart.__all__ == [
        "BUILTIN_ROLES", "CATEGORIES", "SOURCE_ENV", "UNIT_KINDS", "OrgChart", "OrgChartSource",
        "Organization", "Person", "Resolution", "Unit", "YamlFileSource", "is_known_role",
        "load_orgchart", "may_act", "parse_orgchart", "resolve", "source_from_config"]
    public = {name for name in dir(orgchart) if not name.startswith("_")}
    assert set(orgchart.__all__) <= public
    assert all(getattr(orgchart, name).__module__.startswith("approvals.people.orgchart")
               for name in orgchart.__all__ if callable(getattr(orgchart, name)))
