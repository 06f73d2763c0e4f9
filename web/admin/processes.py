"""The processes in force and deploying a new version from the page: the file is validated
against every chart using it (approvals/operations/deploy.py) before it goes live, and every worker
picks it up without a restart. Processes stored requests use but this server lacks are
named here, as they are in the server's log at start."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from approvals import text as textrules
from approvals.errors import NotPermittedError, ProcessDefinitionError
from approvals.operations.deploy import (
    MAX_BPMN_BYTES,
    Blocked,
    DeployCheck,
    DeployNotPermittedError,
    DeployRefusedError,
    missing_processes,
)
from web import labels
from web.admin import bp
from web.admin.bpmnwords import file_problem, issue_sentence
from web.admin.orgchart import org_id
from web.engine import current_chart, engine
from web.i18n import gettext as _
from web.messages import explain
from web.users import me, offices


def _listing(org: str) -> dict[str, Any]:
    app = engine()
    chart = current_chart(org)
    used = {pid: code for code, pid in chart.organization.processes.items()}
    rows = [{"defn": d, "origin": app.definitions.origin(d.process_id), "request_type": used.get(d.process_id, "")}
            for d in sorted(app.definitions.all(), key=lambda d: d.process_id)]
    return {"org": org, "processes": rows, "history": app.deployer.history(me().admin_of)[:20],
            "missing": missing_processes(app.db, app.definitions, me().admin_of),
            "errors": [file_problem(e) for e in app.definitions.errors]}


def _upload() -> tuple[str, str] | str:
    """(XML text, file name), or why the upload cannot be read."""
    upload = request.files.get("upload")
    if upload is None or not upload.filename:
        return _("Choose a BPMN file to upload.")
    data = upload.read(MAX_BPMN_BYTES + 1)
    if len(data) > MAX_BPMN_BYTES:
        return _("The file is larger than %(n)s bytes.", n=MAX_BPMN_BYTES)
    try:
        xml = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _("The file is not UTF-8 text (byte %(n)s).", n=exc.start)
    name_problem = textrules.problem(upload.filename, textrules.LINE_LENGTH)
    if name_problem:
        return _("The file cannot be read: %(why)s", why=f"{upload.filename!r} {name_problem}")
    return xml, upload.filename


@bp.route("/processes", methods=["GET", "POST"])
def processes() -> str | Response | tuple[str, int]:
    org = org_id()
    if request.method == "GET":
        return render_template("admin/processes.html", **_listing(org))
    comment = request.form.get("comment", "").strip()
    got = _upload()
    problem = got if isinstance(got, str) else textrules.problem(comment, textrules.LINE_LENGTH)
    if problem:
        return render_template("admin/processes.html", upload_error=problem, comment=comment, **_listing(org)), 400
    assert not isinstance(got, str)
    xml, source = got
    deploying = request.form.get("action") == "deploy"
    try:
        if deploying:
            check = engine().deployer.deploy(xml, source, me().id, comment, offices=offices())
        else:
            check = engine().deployer.check(xml, source, me().id, offices=offices())
    except DeployNotPermittedError as exc:
        why = _("This process is used by %(orgs)s, which you do not administer: only its administrators may "
                "check or deploy it (the check names its people).", orgs="、".join(exc.orgs))
        return render_template("admin/processes.html", refused=[why], source=source, comment=comment,
                               **_listing(org)), 403
    except NotPermittedError:
        abort(403)
    except DeployRefusedError as exc:
        return render_template("admin/processes.html", blocked=[_blocked(b) for b in exc.check.blocked],
                               refused=[issue_sentence(i) for i in exc.check.issues], source=source, comment=comment,
                               **_listing(org)), 400
    except ProcessDefinitionError as exc:
        return render_template("admin/processes.html", refused=[issue_sentence(i) for i in exc.issues],
                               source=source, comment=comment, **_listing(org)), 400
    if deploying:
        flash(_deployed(check), "success")
        return redirect(url_for("admin.processes", org=org))
    return render_template("admin/processes.html", checked=check, source=source, comment=comment, **_listing(org))


def _deployed(check: DeployCheck) -> str:
    names = ", ".join(f"{d.name} ({d.process_id})" for d in check.definitions)
    return _("Deployed %(names)s: new requests start on this version at once; requests in progress "
             "stay on theirs.", names=names)


def _blocked(b: Blocked) -> str:
    """ "XX局, 离孝审批: 12 people cannot submit (沈悦, …): the route needs …, which is vacant." """
    chart = engine().orgcharts.current(b.org_id)
    return _("%(org)s, %(type)s: %(n)s person(s) could not submit (%(names)s). %(why)s",
             org=b.org_name, type=labels.request_type(b.request_type, b.org_id), n=len(b.people),
             names="、".join(b.people), why=explain(b.error, chart, b.sample))
