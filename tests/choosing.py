"""The applicant-chosen approvers example: the supplies process (tests/fixtures/supplies_xx.bpmn)
without its timers, its leader chosen by the applicant among the bureau's leaders
(``members:leadership``) and a copy (抄送) to colleagues of the applicant's unit they choose
(docs/processes.md, "Approvers and copies the applicant chooses")."""

from __future__ import annotations

from timing import with_policy

CHOICE_FIELDS = '''
          <camunda:formField id="reviewer" label="审批领导" type="string"/>
          <camunda:formField id="cc_to" label="抄送" type="string"/>
        </camunda:formData>'''
COPY = '''<bpmn:sendTask id="cc" name="抄送本科室同事" camunda:candidateGroups="members:unit">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="kind" value="copy"/><camunda:property name="chosen_in" value="cc_to"/>
      </camunda:properties></bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:sendTask>
    <bpmn:endEvent id="end" name="结束">
      <bpmn:incoming>f4</bpmn:incoming>'''


def chosen_xml(limit: str = "members:leadership") -> str:
    xml = with_policy("refuse")
    xml = xml.replace("\n        </camunda:formData>", CHOICE_FIELDS, 1)
    xml = xml.replace('<camunda:property name="if_vacant" value="refuse"/>',
                      '<camunda:property name="chosen_in" value="reviewer"/>', 1)
    xml = xml.replace('camunda:candidateGroups="supervisor"', f'camunda:candidateGroups="{limit}"', 1)
    xml = xml.replace('<bpmn:endEvent id="end" name="结束">\n      <bpmn:incoming>f3</bpmn:incoming>', COPY, 1)
    return xml.replace('<bpmn:sequenceFlow id="f3" sourceRef="leader" targetRef="end"/>',
                       '<bpmn:sequenceFlow id="f3" sourceRef="leader" targetRef="cc"/>'
                       '<bpmn:sequenceFlow id="f4" sourceRef="cc" targetRef="end"/>', 1)
