"""Weekly upkeep of the Delta offline tables of every feature group:

    optimize <groups>   (compact each event date that several batches wrote; Z-order by the record identifier)
      -> vacuum <groups>  (delete files no version of the last 168 hours and no recorded training set needs)

optimize rewrites only the dates that need it and changes no row; vacuum keeps Delta's default retention (168h) and
refuses, naming the training-set manifests that pin them, rather than delete files a recorded set still needs
(see README, "Maintenance"). It runs on Sunday at noon, away from the daily ingests: an optimize that meets a
backfill of the same dates fails with Delta's concurrent-modification error and is retried.
"""
from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import DAG

from tidemark_common import DEFAULT_ARGS, feature_groups, job, tidemark_args

DELTA_GROUPS = [g["name"] for g in feature_groups() if g.get("offline", {}).get("format", "delta") == "delta"]

with DAG(
    dag_id="tidemark_maintenance",
    description="Compact and vacuum the Delta offline tables",
    schedule="0 12 * * 0",
    start_date=datetime(2024, 3, 3, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["tidemark", "maintenance"],
) as dag:
    optimize_first, optimize_last = job("optimize", tidemark_args("optimize", *DELTA_GROUPS))
    vacuum_first, _ = job("vacuum", tidemark_args("vacuum", *DELTA_GROUPS, "--retain", "168h"))
    optimize_last >> vacuum_first
