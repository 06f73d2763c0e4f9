"""Which files an attachment field takes, read from their first bytes (approvals/uploads.py)."""

from __future__ import annotations

import io
import zipfile

import pytest

from approvals.errors import FieldError, ProcessDefinitionError
from approvals.process.definitions import parse_bpmn
from approvals.uploads import check, detect


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "kind"), [
    (b"%PDF-1.4 ...", "pdf"),
    (b"\x89PNG\r\n\x1a\n....", "png"),
    (b"\xff\xd8\xff\xe0..JFIF", "jpeg"),
    (zipped("[Content_Types].xml", "word/document.xml"), "docx"),
    (zipped("[Content_Types].xml", "xl/workbook.xml"), "xlsx"),
    (zipped("OFD.xml", "Doc_0/Document.xml"), "ofd"),
    (zipped("evil.exe"), None),
    (b"PK\x03\x04 not really a zip", None),
    (b"GIF89a", None),
    (b"<svg onload=alert(1)>", None),
])
def test_the_kind_of_a_file_is_read_from_its_content(data: bytes, kind: str | None) -> None:
    assert detect(data) == kind


def test_a_field_may_narrow_the_kinds_it_takes() -> None:
    with pytest.raises(FieldError) as caught:
        check("field 'plan' (防控方案)", "方案.png", b"\x89PNG\r\n\x1a\n", ("pdf", "ofd"))
    assert str(caught.value) == ("field 'plan' (防控方案): is a PNG file; accepted: PDF, OFD "
                                 "(found '方案.png')")
    assert check("field 'plan' (防控方案)", "方案.ofd", zipped("OFD.xml"), ("pdf", "ofd")) == (
        "方案.ofd", "application/ofd")


def test_a_jpeg_may_be_named_jpg_or_jpeg_in_any_case() -> None:
    assert check("field 'photo'", "照片.JPG", b"\xff\xd8\xff\xe1")[1] == "image/jpeg"
    assert check("field 'photo'", "照片.jpeg", b"\xff\xd8\xff\xe1")[1] == "image/jpeg"


def _form(accept: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
            'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
            '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="start">'
            '<bpmn:extensionElements><camunda:formData>'
            '<camunda:formField id="plan" label="防控方案" type="attachment"><camunda:properties>'
            f'<camunda:property id="accept" value="{accept}"/></camunda:properties>'
            '</camunda:formField></camunda:formData></bpmn:extensionElements>'
            '<bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end"/>'
            '<bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>'
            '</bpmn:process></bpmn:definitions>')


def test_the_accept_property_of_a_field_is_read_from_the_process() -> None:
    [defn] = parse_bpmn(_form("PDF, ofd"), "p.bpmn")
    assert defn.fields[0].accept == ("pdf", "ofd")


def test_an_unknown_kind_in_accept_is_refused_when_the_process_is_loaded() -> None:
    with pytest.raises(ProcessDefinitionError, match="property accept: expected kinds among "
                       "pdf, ofd, png, jpeg, docx, xlsx .found 'gif'."):
        parse_bpmn(_form("pdf,gif"), "p.bpmn")
