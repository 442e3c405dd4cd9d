#!/usr/bin/env python3
"""Mutation testing: can the tests fail for every bug that matters?

Applies each mutant of scripts/mutants/catalogue.py, one at a time, to a scratch copy of the
working tree (.build-mutants/src, ignored by git; the real tree is never touched), builds it and runs
two stages of tests against it:

  unit        the fast suites of the replicated store, the wire and the server (UNIT_SUITES)
  simulation  the convergence simulations: replicas pairwise (OZG_SIM_SEEDS, default 300),
              through the real server's handler, store, pages and restarts (OZG_SERVER_SIM_SEEDS,
              default 15), and through a hub and the state server (OZG_HUB_SIM_SEEDS, default 10;
              see OZG_MUTANT_* below)

A mutant is killed when a stage fails (or hangs past its time limit). By default the simulation runs
only when the unit stage did not kill the mutant, except for mutants marked `simulation: True`
(the ones the simulation itself must kill, issue 16), where both stages always run; --all-stages
runs both for every mutant. A mutant that survives is a defect of the tests unless the catalogue
explains why it is equivalent.

  scripts/mutants.py                      every mutant; writes scripts/mutants/result.json and RESULT.md
  scripts/mutants.py --only ID[,ID…]      some mutants (updates their verdicts there)
  scripts/mutants.py --all-stages         both stages for every mutant
  scripts/mutants.py --list               the catalogue

Environment: OZG_MUTANT_SIM_SEEDS (300), OZG_MUTANT_SERVER_SIM_SEEDS (15), OZG_MUTANT_HUB_SIM_SEEDS (10).
Exit code 0 when every mutant is killed or explained equivalent, 1 otherwise, 2 for a broken
catalogue or baseline (a mutant whose text is not found once, a mutant that does not compile,
tests that fail without any mutant).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / ".build-mutants"
SOURCE = SCRATCH / "src"
sys.path.insert(0, str(ROOT / "scripts" / "mutants"))
from catalogue import MUTANTS  # noqa: E402

UNIT_SUITES = [
    "OZGSyncTests.ClockAndIndexTests",
    "OZGSyncTests.CodecTests",
    "OZGSyncTests.ConflictRegressionTests",
    "OZGSyncTests.EdgeCaseTests",
    "OZGSyncTests.ExactConflictTests",
    "OZGSyncTests.HistoryChainTests",
    "OZGSyncTests.MergePropertyTests",
    "OZGSyncTests.PeerChangeRulesTests",
    "OZGSyncTests.ReplicaWriteTests",
    "OZGSyncTests.WireGoldenTests",
    "SyncServerTests.SyncServerTests",
    "SyncServerTests.PagingTests",
    "SyncServerTests.HostilePeerTests",
    "SyncServerTests.SyncWireEnvelopeTests",
    "SyncServerTests.LiveChannelTests",
    "SyncServerTests.CursorBindingTests",
    "SyncServerTests.HubRelayTests",
    "SyncServerTests.CompactionTests",
    "OZGSyncTests.CompactionReplicaTests",
]
SIMULATION_SUITES = [
    "OZGSyncTests.ConvergenceSimulationTests",
    "OZGSyncTests.ServerPathSimulationTests",
    "OZGSyncTests.HubPathSimulationTests",
]
BUILD_TIMEOUT = 1800
STAGE_TIMEOUT = {"unit": 180, "simulation": 900}


def suite_filter(suites):
    return "^(" + "|".join(s.replace(".", r"\.") for s in suites) + r")\b"


def stage_command(stage):
    suites = UNIT_SUITES if stage == "unit" else SIMULATION_SUITES
    return ["swift", "test", "--skip-build", "--filter", suite_filter(suites)]


def stage_environment():
    environment = dict(os.environ)
    environment["OZG_SIM_SEEDS"] = os.environ.get("OZG_MUTANT_SIM_SEEDS", "300")
    environment["OZG_SERVER_SIM_SEEDS"] = os.environ.get("OZG_MUTANT_SERVER_SIM_SEEDS", "15")
    environment["OZG_HUB_SIM_SEEDS"] = os.environ.get("OZG_MUTANT_HUB_SIM_SEEDS", "10")
    environment.pop("OZG_SIM_FIRST_SEED", None)
    return environment


def kill_leftovers(process):
    """Ends the process group and anything else still running from the scratch copy (test helpers
    the tests started: servers, shells)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command_line = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(SCRATCH) in command_line:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def run(command, timeout, log):
    """Runs `command` in the scratch copy; returns (passed, timed_out, seconds, output tail)."""
    started = time.monotonic()
    with open(log, "w") as out:
        process = subprocess.Popen(
            command, cwd=SOURCE, stdout=out, stderr=subprocess.STDOUT, env=stage_environment(),
            start_new_session=True)
        try:
            code = process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            kill_leftovers(process)
            process.wait()
            code, timed_out = -1, True
        except KeyboardInterrupt:
            kill_leftovers(process)
            raise
    kill_leftovers(process)
    text = Path(log).read_text(errors="replace").splitlines()
    return code == 0, timed_out, time.monotonic() - started, text[-15:]


def prepare_scratch():
    """Copies the working tree's files (tracked and untracked, not ignored) into the scratch copy;
    its .build stays between runs, so only what changed is rebuilt."""
    SOURCE.mkdir(parents=True, exist_ok=True)
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, check=True,
        capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if not source.is_file():
            continue
        target = SOURCE / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copy2(source, target)


def check_catalogue(mutants):
    problems = []
    ids = set()
    for mutant in mutants:
        if mutant["id"] in ids:
            problems.append(f"{mutant['id']}: doppelte Kennung")
        ids.add(mutant["id"])
        text = (ROOT / mutant["file"]).read_text()
        for old, _ in mutant["edits"]:
            count = text.count(old)
            if count != 1:
                problems.append(f"{mutant['id']}: Text kommt in {mutant['file']} {count}-mal vor statt einmal: {old!r}")
    return problems


def apply(mutant):
    path = SOURCE / mutant["file"]
    original = path.read_text()
    text = original
    for old, new in mutant["edits"]:
        text = text.replace(old, new, 1)
    path.write_text(text)
    return path, original


def build(label):
    log = SCRATCH / "logs" / f"{label}.build.log"
    passed, timed_out, seconds, tail = run(["swift", "build", "--build-tests"], BUILD_TIMEOUT, log)
    return passed, seconds, tail, log


def main():
    parser = argparse.ArgumentParser(description="Mutationstests der Zusammenführung, des Protokolls und des Servers.")
    parser.add_argument("--only", help="nur diese Mutanten (Kennungen, durch Komma getrennt)")
    parser.add_argument("--all-stages", action="store_true", help="beide Stufen für jeden Mutanten")
    parser.add_argument("--list", action="store_true", help="den Katalog zeigen")
    arguments = parser.parse_args()

    mutants = MUTANTS
    if arguments.only:
        wanted = [name.strip() for name in arguments.only.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in {m["id"] for m in MUTANTS}]
        if unknown:
            print(f"Unbekannte Mutanten: {', '.join(unknown)} (--list zeigt den Katalog).", file=sys.stderr)
            return 2
        mutants = [m for m in MUTANTS if m["id"] in wanted]
    if arguments.list:
        for mutant in mutants:
            print(f"{mutant['id']:<44} {mutant['area']:<12} {mutant['what']}")
        return 0
    problems = check_catalogue(mutants)
    if problems:
        print("Der Katalog passt nicht zum Quelltext:", *problems, sep="\n  ", file=sys.stderr)
        return 2

    (SCRATCH / "logs").mkdir(parents=True, exist_ok=True)
    prepare_scratch()
    started = time.monotonic()
    print(f"Bau der unveränderten Kopie in {SOURCE} …", flush=True)
    passed, seconds, tail, log = build("baseline")
    if not passed:
        print(f"Die unveränderte Kopie baut nicht ({log}):", *tail, sep="\n", file=sys.stderr)
        return 2
    for stage in ("unit", "simulation"):
        ok, timed_out, seconds, tail = run(stage_command(stage), STAGE_TIMEOUT[stage], SCRATCH / "logs" / f"baseline.{stage}.log")
        print(f"  ohne Mutant: {stage} {'bestanden' if ok else 'GESCHEITERT'} ({seconds:.0f} s)", flush=True)
        if not ok:
            print("Ohne Mutanten müssen alle Stufen bestehen:", *tail, sep="\n", file=sys.stderr)
            return 2

    results = []
    broken = []
    simulation_misses = []
    for number, mutant in enumerate(mutants, 1):
        path, original = apply(mutant)
        try:
            compiled, build_seconds, tail, log = build(mutant["id"])
            if not compiled:
                broken.append(mutant["id"])
                print(f"[{number}/{len(mutants)}] {mutant['id']}: baut nicht ({log})", *tail[-5:], sep="\n  ", flush=True)
                continue
            verdicts = {}
            for stage in ("unit", "simulation"):
                if stage == "simulation" and not verdicts["unit"]["passed"] and not (
                        arguments.all_stages or mutant.get("simulation")):
                    break
                ok, timed_out, seconds, _ = run(
                    stage_command(stage), STAGE_TIMEOUT[stage], SCRATCH / "logs" / f"{mutant['id']}.{stage}.log")
                verdicts[stage] = {"passed": ok, "timed_out": timed_out, "seconds": seconds}
            killed = any(not v["passed"] for v in verdicts.values())
            results.append((mutant, verdicts, killed))
            summary = ", ".join(
                f"{stage} {'überlebt' if v['passed'] else ('tötet (Zeitlimit)' if v['timed_out'] else 'tötet')}"
                f" {v['seconds']:.0f} s" for stage, v in verdicts.items())
            status = "getötet" if killed else ("äquivalent" if mutant.get("equivalent") else "ÜBERLEBT")
            if mutant.get("simulation") and verdicts["simulation"]["passed"] and not mutant.get("not_by_simulation"):
                status += ", aber die SIMULATION tötet ihn nicht"
                simulation_misses.append(mutant["id"])
            print(f"[{number}/{len(mutants)}] {mutant['id']}: {status} ({summary}; Bau {build_seconds:.0f} s)", flush=True)
        finally:
            path.write_text(original)

    minutes = (time.monotonic() - started) / 60
    killed = sum(1 for _, _, k in results if k)
    equivalent = [m["id"] for m, _, k in results if not k and m.get("equivalent")]
    survivors = [m["id"] for m, _, k in results if not k and not m.get("equivalent")]
    print(f"\n{killed} von {len(results)} Mutanten getötet, {len(equivalent)} äquivalent, "
          f"{len(survivors)} überlebt, {len(broken)} bauen nicht; {minutes:.0f} min.")
    for name in survivors:
        print(f"  ÜBERLEBT: {name}")
    for name in simulation_misses:
        print(f"  von der Simulation nicht getötet (Katalog: simulation=True ohne not_by_simulation): {name}")
    record_results(results, broken, minutes, arguments.all_stages, partial=bool(arguments.only))
    if broken:
        return 2
    return 1 if survivors or simulation_misses else 0


def record_results(results, broken, minutes, all_stages, partial):
    """Keeps each mutant's last verdict in scripts/mutants/result.json (a full run replaces it, --only
    updates the mutants it ran) and writes scripts/mutants/RESULT.md from it."""
    store_path = ROOT / "scripts" / "mutants" / "result.json"
    store = json.loads(store_path.read_text()) if partial and store_path.exists() else {"mutants": {}}
    environment = stage_environment()
    today = time.strftime("%Y-%m-%d")
    seeds = [int(environment["OZG_SIM_SEEDS"]), int(environment["OZG_SERVER_SIM_SEEDS"])]
    if not partial:
        store["full_run"] = {"date": today, "minutes": round(minutes), "all_stages": all_stages, "seeds": seeds}
    for mutant, verdicts, killed in results:
        store["mutants"][mutant["id"]] = {
            "killed": killed, "date": today, "seeds": seeds, "single": partial,
            "verdicts": {stage: {"passed": v["passed"], "timed_out": v["timed_out"]} for stage, v in verdicts.items()}}
    for name in broken:
        store["mutants"][name] = {"broken": True, "date": today, "single": partial}
    store_path.write_text(json.dumps(store, indent=1, sort_keys=True) + "\n")
    write_result(store)


def write_result(store):
    def cell(verdict):
        if verdict is None:
            return "–"
        if verdict["passed"]:
            return "überlebt"
        return "**getötet** (Zeitlimit)" if verdict["timed_out"] else "**getötet**"

    entries = store["mutants"]
    ran = [m for m in MUTANTS if m["id"] in entries and not entries[m["id"]].get("broken")]
    killed = sum(1 for m in ran if entries[m["id"]]["killed"])
    full = store.get("full_run", {})
    lines = [
        "# Ergebnis der Mutationstests",
        "",
        f"**{killed} von {len(ran)} Mutanten getötet.** Letzter vollständiger Lauf "
        f"`scripts/mutants.py{' --all-stages' if full.get('all_stages') else ''}` am {full.get('date', '?')}: "
        f"{full.get('minutes', '?')} min auf der 2-Kern-Maschine (Simulation: "
        f"{full.get('seeds', ['?', '?'])[0]} paarweise Abläufe, {full.get('seeds', ['?', '?'])[1]} über den "
        "Server). „–“: Stufe nicht gelaufen, weil die Unit-Stufe den Mutanten schon getötet hatte. Die "
        "Mutanten und ihre Begründungen stehen in `scripts/mutants/catalogue.py`, die Urteile in "
        "`scripts/mutants/result.json`.",
    ]
    single = [m["id"] for m in ran if entries[m["id"]].get("single")]
    if single:
        lines += ["", "Danach einzeln neu geprüft (`--only`, nach einem neuen Test): " + ", ".join(
            f"`{name}` ({entries[name]['date']})" for name in single) + "."]
    lines += ["", "| Mutant | Bereich | Unit | Simulation |", "|---|---|---|---|"]
    for mutant in MUTANTS:
        entry = entries.get(mutant["id"])
        if entry is None:
            lines.append(f"| `{mutant['id']}` | {mutant['area']} | nicht gelaufen | – |")
        elif entry.get("broken"):
            lines.append(f"| `{mutant['id']}` | {mutant['area']} | baut nicht | – |")
        else:
            name = mutant["id"] if entry["killed"] or not mutant.get("equivalent") else f"{mutant['id']} (äquivalent)"
            verdicts = entry["verdicts"]
            lines.append(f"| `{name}` | {mutant['area']} | {cell(verdicts.get('unit'))} | {cell(verdicts.get('simulation'))} |")
    notes = [(m["id"], m[key]) for m in MUTANTS for key in ("not_by_simulation", "equivalent") if m.get(key)]
    if notes:
        lines += ["", "Warum die Simulation diese Mutanten nicht zeigen kann, oder warum sie nichts ändern (aus dem Katalog):", ""]
        lines += [f"- `{name}`: {text}" for name, text in notes]
    (ROOT / "scripts" / "mutants" / "RESULT.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nAbgebrochen; der Arbeitsbaum ist unverändert (Mutanten nur in .build-mutants/src).", file=sys.stderr)
        sys.exit(130)
