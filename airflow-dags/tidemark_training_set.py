"""Builds a training set from a spine location and publishes its manifest.

Trigger with params, e.g. {"spine": "s3://ml/labels/purchases/", "features": "users:*,products:price,avg_rating",
"output": "s3://ml/training-sets/purchases/{{ ds }}", "label": "returned"}. The manifest (Delta versions read,
definitions hash, spine hash, options) lands beside the output as <output>.manifest.json; rebuild any run with
`training-set --from-manifest`.

A drift gate runs first: `drift` compares the purchase windows of the last week with the week before and exits 1
when a feature drifts (PSI > 0.2 or a test's p < 0.01), which fails the gate and holds the build; its HTML report
lands beside the output.
"""
from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import DAG, Param

from tidemark_common import DEFAULT_ARGS, job, tidemark_args

with DAG(
    dag_id="tidemark_training_set",
    description="Point-in-time training set from a spine, with a manifest",
    schedule="@weekly",
    start_date=datetime(2024, 3, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "spine": Param("s3://my-ml/labels/purchases/", type="string"),
        "spine_format": Param("parquet", enum=["csv", "parquet", "delta"]),
        "spine_time_column": Param("purchased_at", type="string"),
        "features": Param("users:*,products:*,user_purchase_windows:*", type="string"),
        "label": Param("returned", type="string"),
        "output": Param("s3://my-ml/training-sets/purchases", type="string"),
    },
    tags=["tidemark", "training"],
) as dag:
    gate_first, gate_last = job(
        "drift_gate",
        tidemark_args(
            "drift",
            "user_purchase_windows",
            "--baseline",
            "{{ macros.ds_add(ds, -14) }}..{{ macros.ds_add(ds, -7) }}",
            "--current",
            "{{ macros.ds_add(ds, -7) }}..{{ ds }}",
            "--report",
            "{{ params.output }}/{{ ds }}.drift-user_purchase_windows.html",
        ),
    )
    build_first, build_last = job(
        "training_set",
        tidemark_args(
            "training-set",
            "--spine",
            "{{ params.spine }}",
            "--spine-format",
            "{{ params.spine_format }}",
            "--spine-time-column",
            "{{ params.spine_time_column }}",
            "--features",
            "{{ params.features }}",
            "--label",
            "{{ params.label }}",
            "--output",
            "{{ params.output }}/{{ ds }}",
            "--output-format",
            "parquet",
            "--overwrite",
        ),
    )
    gate_last >> build_first
