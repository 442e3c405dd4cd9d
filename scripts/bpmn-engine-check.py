"""Feeds BPMN files to a real BPMN engine (SpiffWorkflow, fetched by scripts/fetch-spiffworkflow.sh).

Usage: bpmn-engine-check.py SPIFF_DIR FILE.bpmn ...

Each file is parsed as exported, with SpiffWorkflow's schema validation and its resolution of every
reference. Then an executable copy runs once with every condition of an exclusive gateway answered
in turn and once for each outgoing flow of each exclusive gateway taken first (later visits of that
gateway take the next flow, so a loop is entered and left); every run must complete an end event
within 500 engine rounds (the engine itself stops a runaway loop after about 1,000 tasks and calls
the workflow completed, so reaching an end event is what counts). Prints one line per run and exits 1 if anything failed.
"""
import sys
import xml.etree.ElementTree as ET
sys.path.insert(0, sys.argv[1])
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.util.task import TaskState

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
failures = 0
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8").read()
    # Parsed and validated as exported (XSD and references), then run from an executable copy.
    try:
        checked = BpmnParser(validator=BpmnValidator())
        checked.add_bpmn_str(text.replace('isExecutable="false"', 'isExecutable="true"').encode("utf-8"), filename=path)
        checked.get_spec(checked.get_process_ids()[0])
    except Exception as error:
        failures += 1
        print("UNGUELTIG %s: %s" % (path, error))
        continue
    text = text.replace('isExecutable="false"', 'isExecutable="true"')
    root = ET.fromstring(text.encode("utf-8"))
    gateways = {}
    for gateway in root.iter("{%s}exclusiveGateway" % NS["bpmn"]):
        gateway_id = gateway.get("id")
        gateways[gateway_id] = [f.get("id") for f in root.iter("{%s}sequenceFlow" % NS["bpmn"]) if f.get("sourceRef") == gateway_id]
    # Each condition becomes a call that asks the schedule whether this flow is taken now.
    for flow in root.iter("{%s}sequenceFlow" % NS["bpmn"]):
        condition = flow.find("bpmn:conditionExpression", NS)
        if condition is not None:
            condition.text = 'take("%s", "%s")' % (flow.get("sourceRef"), flow.get("id"))
    executable = ET.tostring(root, encoding="utf-8")
    ends = {end.get("id") for end in root.iter("{%s}endEvent" % NS["bpmn"])}
    runs = [(None, None)] + [(g, f) for g, flows in gateways.items() for f in flows]
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
        spec = parser.get_spec(parser.get_process_ids()[0])
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
            print("ok %s %s" % (path, label))
        else:
            failures += 1
            print("NOT FINISHED %s %s" % (path, label))
sys.exit(1 if failures else 0)
