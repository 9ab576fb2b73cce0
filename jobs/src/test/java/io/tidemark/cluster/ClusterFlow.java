package io.tidemark.cluster;

import io.tidemark.Tidemark;
import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.ingest.IngestResult;
import io.tidemark.online.OnlineRecord;
import io.tidemark.online.OnlineStore;
import io.tidemark.online.materialize.MaterializeResult;
import io.tidemark.online.materialize.ReconcileResult;
import io.tidemark.testing.S3MockServer;
import io.tidemark.testing.TestSpark;
import io.tidemark.training.OutputFormat;
import io.tidemark.training.TrainingSetResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The whole Tidemark flow in one JVM on a given Spark master, for {@link ClusterFlowTest}: the demo's shipped groups
 * ingested from raw files on the S3 test server (two SQL-transformed groups and the window-aggregation group) into
 * offline tables on S3, deletes, a training set over all three groups, materialize full and incremental into the
 * local DynamoDB server, a rebuild of the training set from its manifest, online reads and reconcile. Every result is
 * written to {@code <run dir>/results.txt} as {@code section<TAB>line}, with nothing that differs between two runs
 * of the same inputs (write times, table prefixes, run folders), so two runs on two masters can be compared line by
 * line.
 *
 * <p>Arguments: {@code MASTER RUN_DIR RUN_NAME S3_ENDPOINT DYNAMODB_ENDPOINT}. The inputs are the objects the test
 * put under {@link #RAW} (shared, read only); everything a run writes is under its own prefix, home and tables.
 */
public final class ClusterFlow {
  /** Where the test puts the inputs, read by both runs. */
  static final String RAW = "s3a://" + S3MockServer.BUCKET + "/cluster-flow/raw";
  /**
   * "Now" for online reads and reconcile: after every event time of the flow, while the window group's newest items
   * are inside its 30-day online TTL and older ones are not.
   */
  static final Clock NOW = Clock.fixed(Instant.parse("2024-05-20T00:00:00Z"), ZoneOffset.UTC);
  static final String RESULTS = "results.txt";
  /** System property: the application jar (Tidemark's classes) shipped to the executors. */
  static final String APP_JAR = "tidemark.cluster.app.jar";

  private final Tidemark tm;
  private final List<String> results = new ArrayList<>();

  private ClusterFlow(Tidemark tm) {
    this.tm = tm;
  }

  public static void main(String[] args) throws IOException {
    String master = args[0];
    Path runDir = Path.of(args[1]);
    String run = args[2];
    S3MockServer s3 = S3MockServer.running(args[3]);
    SparkSession.Builder builder = TestSpark.builder(master, runDir.resolve("spark"));
    if (master.startsWith("local-cluster")) {
      Files.createDirectories(runDir.resolve("executor-tmp"));
      separateExecutorJvms(builder, runDir);
    }
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");

    Map<String, String> settings = new TreeMap<>(s3.settings());
    settings.put("offline.root", "s3a://" + S3MockServer.BUCKET + "/cluster-flow/" + run + "/offline");
    settings.put("catalog.database", "flow");
    settings.put("variables.raw_root", RAW);
    settings.put("online.endpoint", args[4]);
    settings.put("online.table_prefix", run + "_");
    TidemarkConfig config = TidemarkConfig.forHome(runDir.resolve("home"), settings);
    Path repo = Path.of("..").toAbsolutePath().normalize();
    FeatureRegistry registry = FeatureRegistry.load(repo.resolve("feature-definitions"), repo, config.variables());
    ClusterFlow flow = new ClusterFlow(Tidemark.create(spark, config, registry));
    flow.run("s3a://" + S3MockServer.BUCKET + "/cluster-flow/" + run + "/training");
    flow.executors();
    Files.write(runDir.resolve(RESULTS), flow.results, StandardCharsets.UTF_8);
    spark.stop();
  }

  /**
   * Executors as separate JVMs, set up like spark-submit's on EMR (see LOCAL-STACK.md): their class path is
   * {@code $SPARK_HOME/jars} (the libraries; the test links them), and Tidemark's own classes reach them only as the
   * application jar ({@code spark.jars}) fetched from the driver. They get the JVM flags Spark needs on Java 17 (the
   * --add-opens list this JVM was started with) and a temp dir of their own. The scheduler waits for both executors
   * before the first task, so every job of the flow runs on them.
   */
  private static void separateExecutorJvms(SparkSession.Builder builder, Path runDir) {
    String flags = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(ClusterFlow::sparkJvmFlag).collect(Collectors.joining(" "));
    builder.config("spark.jars", System.getProperty(APP_JAR))
        .config("spark.executor.extraJavaOptions", flags + " -Djava.io.tmpdir=" + runDir.resolve("executor-tmp"))
        .config("spark.executor.memory", "1g")
        .config("spark.scheduler.minRegisteredResourcesRatio", "1.0")
        .config("spark.scheduler.maxRegisteredResourcesWaitingTime", "600s");
  }

  /** The flags of this JVM that Spark needs on Java 17 (from the pom's spark.jvm.flags, through surefire). */
  static boolean sparkJvmFlag(String arg) {
    return arg.startsWith("--add-opens") || arg.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
        || arg.startsWith("-Djdk.reflect.") || arg.startsWith("-Daws.");
  }

  private void run(String trainingRoot) {
    List<String> groups = List.of("users", "products", "user_purchase_windows");
    for (String g : groups) {
      ingest(tm.ingest(g).execute());
    }
    IngestResult deleted = tm.delete("users").from(RAW + "/deletes-1.csv", SourceFormat.CSV).execute();
    ingest(deleted);

    String output = trainingRoot + "/purchases";
    TrainingSetResult set = tm.trainingSet().spine(RAW + "/transactions.csv", SourceFormat.CSV)
        .spineTimeColumn("purchased_at").label("returned").features("users:*").features("products:*")
        .features("user_purchase_windows:*").output(output, OutputFormat.PARQUET).execute();
    training("training-set", set);
    List<String> original = rows(tm.spark().read().parquet(output));
    original.forEach(r -> add("training-rows", r));

    for (String g : groups) {
      materialize(tm.materialize(g).execute());
    }
    // after the full load: new events for two new users (the window group), and a tombstone applied online as
    // `tidemark delete` does
    ingest(tm.ingest("user_purchase_windows").source(RAW + "/transactions-2.csv", SourceFormat.CSV).execute());
    IngestResult tombstone = tm.delete("users").from(RAW + "/deletes-2.csv", SourceFormat.CSV).execute();
    ingest(tombstone);
    materialize(tm.materialize("users").tombstonesOf(tombstone.tableVersion().orElseThrow()).execute());
    for (String g : groups) {
      materialize(tm.materialize(g).execute());
    }

    // the rebuild reads the versions the manifest names, not the tombstone and events committed since
    TrainingSetResult rebuilt = tm.trainingSet().fromManifest(set.manifest())
        .output(trainingRoot + "/purchases-rebuilt", OutputFormat.PARQUET).execute();
    training("rebuilt", rebuilt);
    rows(tm.spark().read().parquet(trainingRoot + "/purchases-rebuilt"))
        .forEach(r -> add("rebuilt-rows", r));

    String db = tm.config().database();
    for (String g : groups) {
      rows(tm.spark().table(db + "." + g)
          .withColumn("write_time", org.apache.spark.sql.functions.expr("write_time IS NOT NULL"))
          .withColumn("api_invocation_time", org.apache.spark.sql.functions.expr("api_invocation_time IS NOT NULL")))
          .forEach(r -> add("offline " + g, r));
      rows(tm.spark().table(db + "." + g + "__quarantine")
          .withColumn("write_time", org.apache.spark.sql.functions.expr("write_time IS NOT NULL")))
          .forEach(r -> add("quarantine " + g, r));
    }
    online(groups);
    for (String g : groups) {
      ReconcileResult r = tm.reconcile(g).sample(1000).clock(NOW).execute();
      add("reconcile", String.join(" ", g, "sampled=" + r.sampled(), "matched=" + r.matched(), "missing="
          + r.missing(), "stale=" + r.stale(), "mismatched=" + r.mismatched(), "orphaned=" + r.orphaned(),
          "offline=v" + r.offlineVersion().orElse(-1L), "watermark=v" + r.watermark().orElse(-1L)));
      r.examples().stream().sorted().forEach(e -> add("reconcile " + g, e));
    }
  }

  /** Every id of every group through batchGet (plus one missing id), and a few through get. */
  private void online(List<String> groups) {
    OnlineStore online = tm.onlineStore().withClock(NOW);
    for (String g : groups) {
      FeatureGroup group = tm.registry().group(g);
      List<Object> ids = new ArrayList<>(tm.spark().table(tm.config().database() + "." + g)
          .select(group.recordIdentifier()).distinct().collectAsList().stream().map(r -> r.get(0)).sorted()
          .toList());
      ids.add("x-missing");
      online.batchGet(g, ids).values().forEach(r -> add("online " + g, record(r)));
    }
    for (String id : List.of("u0001", "u0003", "u0005", "u0201", "u9999")) {
      add("get users", id + " " + online.get("users", id).map(ClusterFlow::record).orElse("none"));
    }
    for (String id : List.of("u0201", "u0202", "u0001")) {
      add("get user_purchase_windows", id + " " + online.get("user_purchase_windows", id, "purchases_7d",
          "spend_7d").map(ClusterFlow::record).orElse("none"));
    }
    add("get products", "p001 " + online.get("products", "p001").map(ClusterFlow::record).orElse("none"));
  }

  /** Which JVMs ran tasks: the driver's pid, the executors registered, and the pid each task ran in. */
  private void executors() {
    SparkSession spark = tm.spark();
    long driver = ProcessHandle.current().pid();
    int executors = spark.sparkContext().statusTracker().getExecutorInfos().length - 1; // the driver is listed too
    int blockManagers = spark.sparkContext().getExecutorMemoryStatus().size();
    // SQL, not a lambda: the executors have Tidemark's classes, not the tests'. Each task sleeps 20 ms (so that both
    // executors get tasks), then names its JVM (a ProcessHandle's text is its pid).
    List<String> taskJvms = spark.range(0, 40, 1, 40)
        .selectExpr("substring_index(concat(reflect('java.lang.Thread', 'sleep', CAST(20 AS BIGINT)), ':', "
            + "reflect('java.lang.ProcessHandle', 'current')), ':', -1) AS pid")
        .distinct().collectAsList().stream().map(r -> "@" + r.getString(0)).sorted().toList();
    boolean anyOnDriver = taskJvms.stream().anyMatch(t -> t.endsWith("@" + driver));
    add("executors", "registered=" + executors + " blockManagers=" + blockManagers + " taskJvms=" + taskJvms.size()
        + " anyTaskInDriverJvm=" + anyOnDriver + " " + taskJvms + " driver=" + driver);
  }

  private void ingest(IngestResult r) {
    add("ingest", String.join(" ", r.group(), r.kind(), "batch=" + r.batchId(), "read=" + r.rowsRead(), "accepted="
        + r.rowsAccepted(), "written=" + r.rowsWritten(), "quarantined=" + r.rowsQuarantined(), "outOfRange="
        + r.rowsOutOfRange(), "reasons=" + new TreeMap<>(r.quarantineReasons()), "warnings="
        + new TreeMap<>(r.warnings()), "version=" + r.tableVersion().orElse(-1L), "files="
        + r.filesWritten().orElse(-1L), "again=" + r.alreadyIngested()));
  }

  private void materialize(MaterializeResult r) {
    add("materialize", String.join(" ", r.group(), r.mode(), "table=" + r.table().replaceFirst("^[a-z]+_", ""),
        "from=v" + r.fromVersion().orElse(-1L), "to=v" + r.offlineVersion().orElse(-1L), "records=" + r.records(),
        "written=" + r.written(), "skippedStale=" + r.skippedStale(), "deleted=" + r.deleted(), "oversized="
            + r.oversized()));
  }

  private void training(String section, TrainingSetResult r) {
    add(section, "spine=" + r.spineRows() + " rows=" + r.outputRows() + " features=" + r.featureColumns()
        + " files=" + r.outputFiles().size() + " warnings=" + r.warnings());
    r.groups().forEach(g -> add(section, g.group() + " v" + g.version().orElse(-1L) + " matched=" + g.matched()
        + " deleted=" + g.deleted() + " none=" + g.noCandidate()));
  }

  private static String record(OnlineRecord r) {
    return r.id() + " event_time=" + r.eventTime() + " expires=" + r.expiresAt().map(Instant::toString).orElse("-")
        + " " + r.features();
  }

  /** Every row as text (columns in table order, name=value), sorted. */
  private static List<String> rows(Dataset<Row> data) {
    String[] names = data.columns();
    return data.collectAsList().stream()
        .map(row -> {
          List<String> cells = new ArrayList<>();
          for (int i = 0; i < names.length; i++) {
            Object v = row.get(i);
            cells.add(names[i] + "=" + (v instanceof java.sql.Timestamp t ? t.toInstant().toString()
                : v instanceof scala.collection.Seq<?> ? row.getList(i).toString()
                : String.valueOf(v)));
          }
          return String.join(" ", cells);
        }).sorted().toList();
  }

  private void add(String section, String line) {
    results.add(section + "\t" + line.replace('\n', ' ').replace('\t', ' '));
  }
}
