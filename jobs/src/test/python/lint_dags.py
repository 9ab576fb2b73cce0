#!/usr/bin/env python3
"""Structural lint of Tidemark's Airflow DAGs, without Airflow (it cannot be installed on these machines).

Every DAG file must compile; then each is executed with small recording stand-ins for the few Airflow classes it
uses, and the lint checks what it built: every DAG has an id, a schedule, a start date and retries; every task has
an id; dependencies form a DAG (no cycle); and every Tidemark CLI call a task makes names an existing subcommand,
existing flags of that subcommand and existing feature groups.

usage: lint_dags.py DAG_DIR --commands COMMANDS_JSONL --groups GROUPS_JSONL
exit 0 and a summary line when clean; exit 1 listing every problem otherwise.
"""
from __future__ import annotations

import argparse
import json
import py_compile
import runpy
import sys
import types
from pathlib import Path

PROBLEMS: list[str] = []
DAGS: list["DAG"] = []
CURRENT: list["DAG"] = []


class Task:
    def __init__(self, task_id=None, **kwargs):
        if not task_id:
            PROBLEMS.append(f"a {type(self).__name__} has no task_id")
        self.task_id = task_id
        self.kwargs = kwargs
        self.downstream: list[Task] = []
        self.output = f"XComArg({task_id})"
        if CURRENT:
            CURRENT[-1].add(self)
        else:
            PROBLEMS.append(f"task {task_id} is created outside a DAG")

    def __rshift__(self, other):
        for o in other if isinstance(other, (list, tuple)) else [other]:
            self.downstream.append(o)
        return other

    def __lshift__(self, other):
        for o in other if isinstance(other, (list, tuple)) else [other]:
            o.downstream.append(self)
        return other


class DAG:
    def __init__(self, dag_id=None, schedule="MISSING", start_date=None, default_args=None, **kwargs):
        self.dag_id = dag_id
        self.schedule = schedule
        self.start_date = start_date
        self.default_args = default_args or {}
        self.kwargs = kwargs
        self.tasks: dict[str, Task] = {}
        DAGS.append(self)

    def add(self, task):
        if task.task_id in self.tasks:
            PROBLEMS.append(f"{self.dag_id}: duplicate task_id {task.task_id}")
        self.tasks[task.task_id] = task

    def __enter__(self):
        CURRENT.append(self)
        return self

    def __exit__(self, *exc):
        CURRENT.pop()
        return False


class Param:
    def __init__(self, default=None, **kwargs):
        self.default = default


def install_stand_ins():
    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    module("airflow")
    module("airflow.sdk", DAG=DAG, Param=Param)
    module("airflow.providers")
    module("airflow.providers.amazon")
    module("airflow.providers.amazon.aws")
    module("airflow.providers.amazon.aws.operators")
    module("airflow.providers.amazon.aws.sensors")
    ops = {n: type(n, (Task,), {}) for n in ["EmrAddStepsOperator", "EmrServerlessStartJobOperator"]}
    sensors = {n: type(n, (Task,), {}) for n in ["EmrStepSensor", "EmrServerlessJobSensor"]}
    module("airflow.providers.amazon.aws.operators.emr", **ops)
    module("airflow.providers.amazon.aws.sensors.emr", **sensors)


def tidemark_calls(task: Task) -> list[list[str]]:
    """The Tidemark CLI argument lists a task passes (EMR Serverless job driver or EMR step)."""
    calls = []
    driver = task.kwargs.get("job_driver", {}).get("sparkSubmit")
    if driver:
        if "io.tidemark.cli.TidemarkCli" not in driver.get("sparkSubmitParameters", ""):
            PROBLEMS.append(f"task {task.task_id}: sparkSubmitParameters lack --class io.tidemark.cli.TidemarkCli")
        calls.append(list(driver.get("entryPointArguments", [])))
    for step in task.kwargs.get("steps", []):
        args = step["HadoopJarStep"]["Args"]
        jar_index = next((i for i, a in enumerate(args) if str(a).endswith(".jar")), None)
        if jar_index is None or "io.tidemark.cli.TidemarkCli" not in args:
            PROBLEMS.append(f"task {task.task_id}: the step does not spark-submit io.tidemark.cli.TidemarkCli")
            continue
        calls.append(args[jar_index + 1:])
    return calls


def check_call(where: str, args: list[str], commands: dict[str, set[str]], groups: set[str]):
    # the longest subcommand prefix ("groups list" before "groups")
    name = None
    for n in sorted(commands, key=len, reverse=True):
        words = n.split()
        if args[: len(words)] == words:
            name = n
            break
    if name is None:
        PROBLEMS.append(f"{where}: '{' '.join(args[:2])}' is not a tidemark subcommand")
        return
    rest = args[len(name.split()):]
    for a in rest:
        if a.startswith("--") and a.split("=", 1)[0] not in commands[name]:
            PROBLEMS.append(f"{where}: tidemark {name} has no option {a}")
    for a in rest:
        if a.startswith("-") or "{{" in a or "/" in a or ":" in a:
            continue
        # positionals of ingest / materialize / delete / reconcile are group names; optimize and vacuum take several
        leading = rest.index(a) == 0 or (
            name in ("optimize", "vacuum") and not any(x.startswith("-") for x in rest[: rest.index(a)]))
        if name in ("ingest", "materialize", "delete", "reconcile", "optimize", "vacuum") and leading \
                and a not in groups:
            PROBLEMS.append(f"{where}: no feature group '{a}' (groups: {', '.join(sorted(groups))})")


def has_cycle(dag: DAG) -> bool:
    state: dict[str, int] = {}

    def visit(t: Task) -> bool:
        if state.get(t.task_id) == 1:
            return True
        if state.get(t.task_id) == 2:
            return False
        state[t.task_id] = 1
        if any(visit(d) for d in t.downstream):
            return True
        state[t.task_id] = 2
        return False

    return any(visit(t) for t in dag.tasks.values())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dag_dir")
    parser.add_argument("--commands", required=True)
    parser.add_argument("--groups", required=True)
    ns = parser.parse_args()
    commands = {}
    for line in Path(ns.commands).read_text().splitlines():
        c = json.loads(line)
        commands[c["command"]] = set(c["options"])
    groups = {json.loads(line)["name"] for line in Path(ns.groups).read_text().splitlines()}

    dag_dir = Path(ns.dag_dir)
    files = sorted(p for p in dag_dir.glob("*.py"))
    for f in files:
        try:
            py_compile.compile(str(f), doraise=True)
        except py_compile.PyCompileError as e:
            PROBLEMS.append(f"{f.name}: does not compile: {e.msg}")
    install_stand_ins()
    sys.path.insert(0, str(dag_dir))
    for f in files:
        if "DAG(" not in f.read_text():
            continue
        before = len(DAGS)
        try:
            runpy.run_path(str(f), run_name=f.stem)
        except Exception as e:  # a DAG file that fails to import fails the lint
            PROBLEMS.append(f"{f.name}: fails to load: {type(e).__name__}: {e}")
            continue
        if len(DAGS) == before:
            PROBLEMS.append(f"{f.name}: defines no DAG")
        for dag in DAGS[before:]:
            where = f"{f.name}:{dag.dag_id}"
            if not dag.dag_id:
                PROBLEMS.append(f"{f.name}: a DAG has no dag_id")
            if dag.schedule in ("MISSING", None):
                PROBLEMS.append(f"{where}: no schedule")
            if dag.start_date is None:
                PROBLEMS.append(f"{where}: no start_date")
            if not dag.default_args.get("retries"):
                PROBLEMS.append(f"{where}: default_args set no retries")
            if not dag.tasks:
                PROBLEMS.append(f"{where}: no tasks")
            if has_cycle(dag):
                PROBLEMS.append(f"{where}: the task dependencies have a cycle")
            for task in dag.tasks.values():
                for call in tidemark_calls(task):
                    check_call(f"{where}.{task.task_id}", call, commands, groups)
    if PROBLEMS:
        print("\n".join("dag-lint: " + p for p in PROBLEMS))
        return 1
    tasks = sum(len(d.tasks) for d in DAGS)
    print(f"dag-lint: ok: {len(files)} files, {len(DAGS)} DAGs, {tasks} tasks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
