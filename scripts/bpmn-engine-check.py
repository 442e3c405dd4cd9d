"""Feeds BPMN files to a real BPMN engine (SpiffWorkflow, fetched by scripts/fetch-spiffworkflow.sh).

Usage: bpmn-engine-check.py SPIFF_DIR FILE.bpmn ...

Each file is parsed as exported, with SpiffWorkflow's schema validation and its resolution of every
reference, every process of the collaboration (one per pool). Then each process runs on its own from
an executable copy: once with every exclusive gateway answered in turn and once for each outgoing
flow of each exclusive gateway taken first (later visits of that gateway take the next flow, so a
loop is entered and left); every run must complete an end event within 500 engine rounds (the
engine itself stops a runaway loop after about 1,000 tasks and calls the workflow completed, so
reaching an end event is what counts).

The executable copy tests control flow only. A pool's process runs without the other pools, so
message and timer events become plain events (nothing would send the message, and a timer of three
months would not fire in a test), and data associations are dropped (no task fills the documents).
The prose conditions, which the export writes as flow names, become calls that ask the schedule
whether this flow is taken now; a gateway's default flow is taken when no other is.

Prints one line per run and exits 1 if anything failed.
"""
import sys
import xml.etree.ElementTree as ET
sys.path.insert(0, sys.argv[1])
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.util.task import TaskState

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ET.register_namespace("bpmn", BPMN)
ET.register_namespace("xsi", XSI)


def q(name):
    return "{%s}%s" % (BPMN, name)


def executable_copy(text, control_flow_only=True):
    """The file made runnable per pool, and each process's exclusive gateways with their flows.

    Without `control_flow_only` only the conditions are added (SpiffWorkflow refuses a gateway whose
    flows have none); events, timers and documents stay as exported."""
    root = ET.fromstring(text.replace('isExecutable="false"', 'isExecutable="true"').encode("utf-8"))
    gateways = {}
    for process in root.iter(q("process")):
        flows = list(process.iter(q("sequenceFlow")))
        for gateway in process.iter(q("exclusiveGateway")):
            gateway_id = gateway.get("id")
            gateways[gateway_id] = [f.get("id") for f in flows if f.get("sourceRef") == gateway_id]
            for flow in flows:
                if flow.get("sourceRef") != gateway_id or flow.get("id") == gateway.get("default"):
                    continue
                for old in flow.findall(q("conditionExpression")):
                    flow.remove(old)
                condition = ET.SubElement(flow, q("conditionExpression"))
                condition.set("{%s}type" % XSI, "bpmn:tFormalExpression")
                condition.text = 'take("%s", "%s")' % (gateway_id, flow.get("id"))
        if not control_flow_only:
            continue
        for element in process.iter():
            for child in list(element):
                if child.tag in (q("messageEventDefinition"), q("timerEventDefinition"), q("property"),
                                 q("dataInputAssociation"), q("dataOutputAssociation")):
                    element.remove(child)
            if element.tag == q("intermediateCatchEvent"):
                element.tag = q("intermediateThrowEvent")
    return ET.tostring(root, encoding="utf-8"), gateways, root


failures = 0
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8").read()
    # Parsed and validated as exported (XSD and references), every process of the collaboration;
    # executable and with conditions, or SpiffWorkflow would not look at it.
    try:
        checked = BpmnParser(validator=BpmnValidator())
        checked.add_bpmn_str(executable_copy(text, control_flow_only=False)[0], filename=path)
        process_ids = checked.get_process_ids()
        for process_id in process_ids:
            checked.get_spec(process_id)
    except Exception as error:
        failures += 1
        print("UNGUELTIG %s: %s" % (path, error))
        continue
    executable, gateways, root = executable_copy(text)
    for process in root.iter(q("process")):
        process_id = process.get("id")
        mine = {g: f for g, f in gateways.items() if process.find(".//%s[@id='%s']" % (q("exclusiveGateway"), g)) is not None}
        ends = {end.get("id") for end in process.iter(q("endEvent"))}
        runs = [(None, None)] + [(g, f) for g, flows in mine.items() for f in flows]
        for first_gateway, first_flow in runs:
            visits = {}
            asked = {}

            def take(gateway, flow, first_gateway=first_gateway, first_flow=first_flow, visits=visits, asked=asked):
                # A flow asked about again means the gateway is being passed once more.
                if flow in asked.setdefault(gateway, set()):
                    visits[gateway] = visits.get(gateway, 0) + 1
                    asked[gateway] = set()
                asked[gateway].add(flow)
                visit = visits.get(gateway, 0)
                flows = gateways[gateway]
                if gateway == first_gateway:
                    if visit == 0:
                        return flow == first_flow
                    # Afterwards the flows in turn from the one after the first: a loop is entered, then left.
                    return flow == flows[(flows.index(first_flow) + visit) % len(flows)]
                return flow == flows[visit % len(flows)]

            parser = BpmnParser()
            parser.add_bpmn_str(executable, filename=path)
            spec = parser.get_spec(process_id)
            engine = PythonScriptEngine(environment=TaskDataEnvironment({"take": take}))
            workflow = BpmnWorkflow(spec, script_engine=engine)
            for _ in range(500):
                if workflow.is_completed():
                    break
                workflow.do_engine_steps()
                for task in workflow.get_tasks(state=TaskState.READY):
                    task.run()
                for task in workflow.get_tasks(state=TaskState.STARTED):
                    task.complete()
            label = "%s via %s" % (first_gateway, first_flow) if first_gateway else "default"
            # Completed is not enough: the engine also gives up on a loop that never ends.
            reached = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id in ends]
            if workflow.is_completed() and reached:
                print("ok %s %s %s" % (path, process_id, label))
            else:
                failures += 1
                print("NOT FINISHED %s %s %s" % (path, process_id, label))
sys.exit(1 if failures else 0)
