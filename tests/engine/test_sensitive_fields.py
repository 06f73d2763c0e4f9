"""Form fields a process marks sensitive (issue 22): an ID number is stored sealed in SM4-GCM
under the data key, its key id in the value, in the request and in the audit chain, and is never
given to the route; a missing or wrong key is an error naming the field and the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from support import make_app, pick, step, walk, with_certificate

from approvals.app import Approvals
from approvals.crypto import CryptoError, atrest
from approvals.crypto import fields as sealed_fields
from approvals.crypto.rotate import rotate
from approvals.errors import ProcessDefinitionError
from approvals.process.definitions import parse_bpmn
from approvals.store.models import AuditEntry, Request

ID_NUMBER, PHONE = "110101199003071234", "13812345678"
K1, K2 = "k1:" + "11" * 16, "k2:" + "22" * 16


@pytest.fixture
def bureau(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Approvals:
    monkeypatch.setenv(atrest.INLINE_ENV, K1)
    chart, processes = with_certificate(tmp_path)
    app = make_app(db_url, chart, processes=processes)
    yield app
    app.db.dispose()


def _submit(app: Approvals) -> tuple[str, int]:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section")
    fields = {"purpose": "办理贷款", "id_number": ID_NUMBER, "phone": PHONE}
    return applicant, app.service.submit(applicant, "certificate", fields)


def _stored(app: Approvals, request_id: int) -> tuple[dict[str, str], str, list[str]]:
    with app.db.reading() as s:
        req = s.get(Request, request_id)
        details = list(s.scalars(select(AuditEntry.detail).where(AuditEntry.request_id == request_id)))
        return json.loads(req.fields_json), req.state, details


def test_an_id_number_and_phone_are_stored_sealed_with_their_key_id_and_nowhere_plain(bureau: Approvals) -> None:
    applicant, request_id = _submit(bureau)
    fields, state, details = _stored(bureau, request_id)
    assert fields["id_number"].startswith("sm4gcm:k1:") and fields["phone"].startswith("sm4gcm:k1:")
    assert fields["purpose"] == "办理贷款"  # what is not marked stays as typed
    for place in (json.dumps(fields), state, *details):
        assert ID_NUMBER not in place and PHONE not in place and "1990030712" not in place
    assert '"id_number"' not in state  # the route is not given the field at all
    definition = bureau.service.definition_of(bureau.queries.request(request_id))
    assert sealed_fields.open_values(definition.fields, fields) == {
        "purpose": "办理贷款", "id_number": ID_NUMBER, "phone": PHONE}


def test_the_route_is_unchanged_by_sealing(bureau: Approvals) -> None:
    chart = bureau.orgcharts.current("xx-nrpb")
    applicant, request_id = _submit(bureau)
    hr = chart.units[chart.duties["filing"]].head
    assert walk(bureau, request_id) == [step("approve", "unit_head", chart.unit_of(applicant).head),
                                        step("file", "duty:filing", hr)]


def test_a_value_sealed_under_a_rotated_out_key_opens_while_that_key_is_listed(
        bureau: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    _applicant, request_id = _submit(bureau)
    monkeypatch.setenv(atrest.INLINE_ENV, f"{K1},{K2}")
    stored, _state, _details = _stored(bureau, request_id)
    definition = bureau.service.definition_of(bureau.queries.request(request_id))
    assert sealed_fields.open_values(definition.fields, stored)["id_number"] == ID_NUMBER


def test_a_missing_key_is_an_error_naming_the_field_and_the_key_never_an_empty_value(
        bureau: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    _applicant, request_id = _submit(bureau)
    stored, _state, _details = _stored(bureau, request_id)
    definition = bureau.service.definition_of(bureau.queries.request(request_id))
    monkeypatch.setenv(atrest.INLINE_ENV, K2)
    with pytest.raises(CryptoError, match=r"requests\.fields\.(id_number|phone).*data key 'k1'.*not in"):
        sealed_fields.shown(definition.fields, stored, reveal=False)
    monkeypatch.setenv(atrest.INLINE_ENV, "k1:" + "33" * 16)  # the right id, the wrong key
    with pytest.raises(CryptoError, match=r"requests\.fields\.(id_number|phone).*data key 'k1'"):
        sealed_fields.open_values(definition.fields, stored)


def test_a_sealed_value_copied_into_another_field_does_not_open_there(bureau: Approvals) -> None:
    _applicant, request_id = _submit(bureau)
    stored, _state, _details = _stored(bureau, request_id)
    definition = bureau.service.definition_of(bureau.queries.request(request_id))
    with pytest.raises(CryptoError, match=r"requests\.fields\.phone"):
        sealed_fields.open_values(definition.fields, {**stored, "phone": stored["id_number"]})


def test_without_a_data_key_the_value_is_stored_as_given_and_masked_for_the_unentitled(
        bureau: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(atrest.INLINE_ENV)
    _applicant, request_id = _submit(bureau)
    stored, _state, _details = _stored(bureau, request_id)
    assert stored["id_number"] == ID_NUMBER
    definition = bureau.service.definition_of(bureau.queries.request(request_id))
    shown, revealed = sealed_fields.shown(definition.fields, stored, reveal=False)
    assert (shown["id_number"], shown["phone"], revealed) == ("110***********1234", "138****5678", [])


def _process(field: str, condition: str = "purpose == 'x'") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:extensionElements><camunda:formData>
      <camunda:formField id="purpose" label="用途" type="string"/>
      {field}
    </camunda:formData></bpmn:extensionElements></bpmn:startEvent>
    <bpmn:exclusiveGateway id="gw" default="f3"/>
    <bpmn:userTask id="head" camunda:candidateGroups="unit_head"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="head">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="end"/>
    <bpmn:sequenceFlow id="f4" sourceRef="head" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def _marked(kind: str, ftype: str = "string") -> str:
    return (f'<camunda:formField id="id_number" label="身份证号" type="{ftype}"><camunda:properties>'
            f'<camunda:property id="sensitive" value="{kind}"/></camunda:properties></camunda:formField>')


def test_a_well_formed_sensitive_field_loads() -> None:
    (definition,) = parse_bpmn(_process(_marked("id_number")), "p.bpmn")
    assert definition.field("id_number").sensitive == "id_number"


@pytest.mark.parametrize(("field", "condition", "message"), [
    (_marked("id_number"), "id_number is not None", "'id_number' is a sensitive field"),
    (_marked("passport"), "purpose == 'x'", "expected one of id_number, phone, personal"),
    (_marked("id_number", "long"), "purpose == 'x'", "only a string or text field can be sensitive"),
])
def test_a_route_reading_a_sensitive_field_or_a_mistaken_mark_is_refused_at_load(
        field: str, condition: str, message: str) -> None:
    with pytest.raises(ProcessDefinitionError, match=message):
        parse_bpmn(_process(field, condition), "p.bpmn")


def test_rotation_reseals_sensitive_fields_under_the_new_key_and_they_still_open(
        bureau: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    _applicant, request_id = _submit(bureau)
    monkeypatch.setenv(atrest.INLINE_ENV, f"{K1},{K2}")
    counts = rotate(bureau.db)
    assert counts["requests.fields_json"] == 1
    stored, _state, details = _stored(bureau, request_id)
    assert stored["id_number"].startswith("sm4gcm:k2:") and stored["phone"].startswith("sm4gcm:k2:")
    monkeypatch.setenv(atrest.INLINE_ENV, K2)  # k1 removed: the request opens; the chain's copies need k1
    definition = bureau.service.definition_of(bureau.queries.request(request_id))
    assert sealed_fields.open_values(definition.fields, stored)["id_number"] == ID_NUMBER
    assert rotate(bureau.db)["requests.fields_json"] == 0
