"""Shared pieces of Tidemark's Airflow DAGs: where things are, and how one Tidemark CLI call becomes an EMR job.

Everything environment-specific comes from Airflow Variables at run time (Jinja templates, so nothing is read
while the scheduler parses this file and no secret is ever in the code):

  tidemark_artifacts          s3://bucket/prefix holding tidemark-jobs.jar, tidemark-aws.yaml, feature-definitions/, sql/
  tidemark_runner             emr-serverless (default) or emr
  tidemark_application_id     EMR Serverless application id        (runner emr-serverless)
  tidemark_execution_role_arn EMR Serverless job execution role    (runner emr-serverless)
  tidemark_cluster_id         EMR cluster (job flow) id            (runner emr)
  tidemark_log_uri            s3:// prefix for EMR Serverless logs
"""
from __future__ import annotations

import os
from datetime import timedelta

import yaml

MAIN_CLASS = "io.tidemark.cli.TidemarkCli"
ARTIFACTS = "{{ var.value.tidemark_artifacts }}"
JAR = ARTIFACTS + "/tidemark-jobs.jar"
CONFIG = ARTIFACTS + "/tidemark-aws.yaml"
DEFINITIONS = ARTIFACTS + "/feature-definitions"

# The definitions folder deployed beside the DAGs (or TIDEMARK_DEFINITIONS): the DAGs are generated from it.
DEFINITIONS_DIR = os.environ.get(
    "TIDEMARK_DEFINITIONS",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "feature-definitions"),
)

DEFAULT_ARGS = {
    "owner": "tidemark",
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(hours=4),
}

SPARK_CONF = " ".join(
    "--conf " + c
    for c in [
        "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.session.timeZone=UTC",
        "spark.hadoop.hive.metastore.client.factory.class="
        "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory",
    ]
)


def feature_groups(directory: str = DEFINITIONS_DIR) -> list[dict]:
    """The feature groups defined in the definitions folder, sorted by name."""
    groups = []
    if not os.path.isdir(directory):
        return groups
    for name in sorted(os.listdir(directory)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                groups.append(yaml.safe_load(f))
    return groups


def tidemark_args(*args: str) -> list[str]:
    """A Tidemark CLI call with the deployed config and definitions."""
    return [*args, "--config", CONFIG, "--definitions", DEFINITIONS]


def job(task_id: str, args: list[str]):
    """Runs one Tidemark CLI call on EMR Serverless (or an EMR cluster) and waits for it: returns (first, last)."""
    from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator, EmrServerlessStartJobOperator
    from airflow.providers.amazon.aws.sensors.emr import EmrServerlessJobSensor, EmrStepSensor

    if os.environ.get("TIDEMARK_RUNNER", "emr-serverless") == "emr":
        add = EmrAddStepsOperator(
            task_id=task_id,
            job_flow_id="{{ var.value.tidemark_cluster_id }}",
            steps=[
                {
                    "Name": "tidemark " + " ".join(args[:2]),
                    "ActionOnFailure": "CONTINUE",
                    "HadoopJarStep": {
                        "Jar": "command-runner.jar",
                        "Args": ["spark-submit", "--deploy-mode", "cluster", "--class", MAIN_CLASS, JAR, *args],
                    },
                }
            ],
        )
        wait = EmrStepSensor(
            task_id=task_id + "_done",
            job_flow_id="{{ var.value.tidemark_cluster_id }}",
            step_id="{{ task_instance.xcom_pull(task_ids='" + task_id + "')[0] }}",
        )
    else:
        add = EmrServerlessStartJobOperator(
            task_id=task_id,
            application_id="{{ var.value.tidemark_application_id }}",
            execution_role_arn="{{ var.value.tidemark_execution_role_arn }}",
            name="tidemark " + " ".join(args[:2]),
            job_driver={
                "sparkSubmit": {
                    "entryPoint": JAR,
                    "entryPointArguments": args,
                    "sparkSubmitParameters": "--class " + MAIN_CLASS + " " + SPARK_CONF,
                }
            },
            configuration_overrides={
                "monitoringConfiguration": {
                    "s3MonitoringConfiguration": {"logUri": "{{ var.value.tidemark_log_uri }}"}
                }
            },
            wait_for_completion=False,
        )
        wait = EmrServerlessJobSensor(
            task_id=task_id + "_done",
            application_id="{{ var.value.tidemark_application_id }}",
            job_run_id=add.output,
        )
    add >> wait
    return add, wait
