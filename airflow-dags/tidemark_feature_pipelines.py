"""One scheduled pipeline per feature group, generated from feature-definitions/:

    ingest <group> --start <interval start> --end <interval end>   (a backfill of exactly the logical interval)
      -> materialize <group>                                         (online-enabled groups only)

Catchup and `airflow dags backfill` pass each interval's range to `ingest --start/--end`, which replaces exactly that
range of the offline table, so re-runs and out-of-order backfills are safe.
"""
from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import DAG

from tidemark_common import DEFAULT_ARGS, feature_groups, job, tidemark_args

START = datetime(2024, 3, 1, tzinfo=timezone.utc)

for group in feature_groups():
    name = group["name"]
    with DAG(
        dag_id=f"tidemark_{name}",
        description=f"Tidemark feature group {name}: {group.get('description', '')}",
        schedule="@daily",
        start_date=START,
        catchup=True,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["tidemark", name],
    ) as dag:
        ingest_first, ingest_last = job(
            "ingest",
            tidemark_args(
                "ingest",
                name,
                "--start",
                "{{ data_interval_start.isoformat() }}",
                "--end",
                "{{ data_interval_end.isoformat() }}",
            ),
        )
        if group.get("online", {}).get("enabled"):
            materialize_first, _ = job("materialize", tidemark_args("materialize", name))
            ingest_last >> materialize_first
    globals()[dag.dag_id] = dag
