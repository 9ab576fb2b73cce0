package io.tidemark.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.cli.TidemarkCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Airflow cannot be installed here, so the DAGs are checked without it: jobs/src/test/python/lint_dags.py compiles
 * and loads every DAG file with recording stand-ins for the Airflow classes and checks structure plus every
 * Tidemark call against the CLI's own machine-readable help and the definitions.
 */
class AirflowDagsTest {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static Path commands;
  static Path groups;

  @BeforeAll
  static void describeTheCli(@TempDir Path dir) throws IOException {
    commands = dir.resolve("commands.jsonl");
    groups = dir.resolve("groups.jsonl");
    Files.writeString(commands, stdout("commands", "--json"));
    Files.writeString(groups, stdout("groups", "list", "--json", "--definitions",
        REPO.resolve("feature-definitions").toString()));
  }

  static String stdout(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, TidemarkCli.run(args));
    } finally {
      System.setOut(old);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static List<String> lint(Path dagDir) throws IOException, InterruptedException {
    return lint(dagDir, "emr-serverless");
  }

  static List<String> lint(Path dagDir, String runner) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3",
        REPO.resolve("jobs/src/test/python/lint_dags.py").toString(), dagDir.toString(), "--commands",
        commands.toString(), "--groups", groups.toString()).redirectErrorStream(true);
    // the DAGs are generated from the definitions, as in a deployment with TIDEMARK_DEFINITIONS set
    pb.environment().put("TIDEMARK_DEFINITIONS", REPO.resolve("feature-definitions").toString());
    pb.environment().put("TIDEMARK_RUNNER", runner);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    return List.of(String.valueOf(exit), output.strip());
  }

  @Test
  void shippedDagsPassTheLint() throws Exception {
    // 3 feature groups -> 3 pipelines (ingest + sensor, materialize + sensor for online groups) + the training-set DAG
    // (drift gate + sensor, build + sensor) + the maintenance DAG (optimize + sensor, vacuum + sensor)
    assertEquals(List.of("0", "dag-lint: ok: 4 files, 6 DAGs, 24 tasks"), lint(REPO.resolve("airflow-dags")));
    // the same DAGs on an EMR cluster: EmrAddStepsOperator + EmrStepSensor running spark-submit steps
    assertEquals(List.of("0", "dag-lint: ok: 4 files, 6 DAGs, 24 tasks"),
        lint(REPO.resolve("airflow-dags"), "emr"));
  }

  @Test
  void aDagCallingAMissingFlagOrGroupFails(@TempDir Path dir) throws Exception {
    try (Stream<Path> files = Files.list(REPO.resolve("airflow-dags"))) {
      for (Path f : files.filter(f -> f.toString().endsWith(".py")).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    Files.writeString(dir.resolve("bad_dag.py"), """
        from datetime import datetime, timezone
        from airflow.sdk import DAG
        from tidemark_common import DEFAULT_ARGS, job, tidemark_args
        with DAG(dag_id="bad", schedule="@daily", start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
                 default_args=DEFAULT_ARGS) as dag:
            job("a", tidemark_args("ingest", "users", "--frobnicate"))
            job("b", tidemark_args("ingest", "customers"))
            job("c", tidemark_args("vacuum", "users", "orders", "--retain", "168h"))
        """);
    assertEquals(List.of("1", """
        dag-lint: bad_dag.py:bad.a: tidemark ingest has no option --frobnicate
        dag-lint: bad_dag.py:bad.b: no feature group 'customers' (groups: product_embeddings, products, user_purchase_windows, users)
        dag-lint: bad_dag.py:bad.c: no feature group 'orders' (groups: product_embeddings, products, user_purchase_windows, users)"""),
        lint(dir));
  }
}
