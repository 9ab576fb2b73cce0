package io.tidemark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.demo.DemoData;
import io.tidemark.runtime.LocalDynamoDb;
import io.tidemark.testing.S3MockServer;
import io.tidemark.testing.TestSpark;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole flow ({@link ClusterFlow}) twice, each in a JVM of its own: on {@code local[*]} (driver and executors
 * in one JVM) and on {@code local-cluster[2,1,1024]} (a driver and two executor JVMs, as on EMR: closures are
 * serialized, executors see none of the driver's statics or clients). Both runs read the same inputs from the S3
 * test server and write to the same local DynamoDB server under their own prefixes; every result they print must be
 * the same, row for row. {@code mvn -Pcluster test} (README, "Development").
 */
@Tag("cluster")
class ClusterFlowTest {
  private static final Path DIR = TestSpark.target("cluster-flow");

  @Test
  void theWholeFlowGivesTheSameRowsOnSeparateExecutorJvmsAsInOneJvm() throws Exception {
    TestSpark.deleteRecursively(DIR);
    S3MockServer s3 = S3MockServer.get();
    String dynamo = LocalDynamoDb.inMemory("cluster-flow", DIR);
    putInputs(s3);

    Map<String, List<String>> local = run("local", "local[*]", s3, dynamo);
    Map<String, List<String>> cluster = run("cluster", "local-cluster[2,1,1024]", s3, dynamo);

    // the cluster run's tasks ran in two executor JVMs, none in the driver's; the local run's in the driver's
    assertTrue(single(cluster, "executors").matches("registered=2 blockManagers=3 taskJvms=2 "
        + "anyTaskInDriverJvm=false .*"), single(cluster, "executors"));
    assertTrue(single(local, "executors").matches("registered=0 blockManagers=1 taskJvms=1 "
        + "anyTaskInDriverJvm=true .*"), single(local, "executors"));

    assertEquals(local.keySet(), cluster.keySet());
    for (String section : local.keySet()) {
      if (!section.equals("executors")) {
        assertEquals(local.get(section), cluster.get(section), section);
      }
    }
    // and the flow did what it should (the same on both, as just checked)
    assertEquals(List.of(
        "users ingest read=431 accepted=427 written=427 quarantined=4 outOfRange=0 reasons={age: not an Integral=1, "
            + "event_time: a time without a zone (add Z or an offset like +02:00)=1, event_time: missing event time=1, "
            + "user_id: missing record identifier=1} warnings={} version=1 files=41 again=false",
        "products ingest read=99 accepted=97 written=97 quarantined=2 outOfRange=0 reasons={price: not a Fractional=1, "
            + "stock_level: not a whole number=1} warnings={} version=1 files=38 again=false",
        "user_purchase_windows ingest read=3001 accepted=3000 written=9000 quarantined=1 outOfRange=0 "
            + "reasons={amount: not a Fractional=1} warnings={} version=1 files=72 again=false",
        "users delete read=2 accepted=2 written=2 quarantined=0 outOfRange=0 reasons={} warnings={} version=2 files=2 "
            + "again=false",
        "user_purchase_windows ingest read=3 accepted=3 written=9 quarantined=0 outOfRange=0 reasons={} warnings={} "
            + "version=2 files=9 again=false",
        "users delete read=1 accepted=1 written=1 quarantined=0 outOfRange=0 reasons={} warnings={} version=3 files=1 "
            + "again=false"),
        cluster.get("ingest").stream().map(l -> l.replaceFirst(" batch=[0-9a-f]{64}", "")).toList());
    List<String> trainingSet = List.of("spine=3001 rows=3001 features=[age, membership_tier, total_purchases, "
            + "avg_order_value, category, price, avg_rating, stock_level, purchases_7d, spend_7d, purchases_30d, "
            + "avg_order_value_30d, max_order_30d, distinct_products_30d] files=1 warnings=[]",
        "users v2 matched=2189 deleted=13 none=799",
        "products v1 matched=1945 deleted=0 none=1056",
        "user_purchase_windows v1 matched=3001 deleted=0 none=0");
    assertEquals(trainingSet, cluster.get("training-set"));
    assertEquals(trainingSet, cluster.get("rebuilt"));
    assertEquals(3001, cluster.get("training-rows").size());
    // the rebuild gives the same rows although a tombstone (u0005) and events were committed since
    assertEquals(cluster.get("training-rows"), cluster.get("rebuilt-rows"));
    assertEquals(List.of(
        "users full table=users__v1 from=v-1 to=v2 records=200 written=199 skippedStale=0 deleted=1 oversized=0",
        "products full table=products__v1 from=v-1 to=v1 records=50 written=50 skippedStale=0 deleted=0 oversized=0",
        "user_purchase_windows full table=user_purchase_windows__v1 from=v-1 to=v1 records=200 written=200 "
            + "skippedStale=0 deleted=0 oversized=0",
        "users tombstones table=users__v1 from=v-1 to=v3 records=1 written=0 skippedStale=0 deleted=1 oversized=0",
        "users incremental table=users__v1 from=v2 to=v3 records=1 written=0 skippedStale=0 deleted=1 oversized=0",
        "products incremental table=products__v1 from=v1 to=v1 records=0 written=0 skippedStale=0 deleted=0 "
            + "oversized=0",
        "user_purchase_windows incremental table=user_purchase_windows__v1 from=v1 to=v2 records=2 written=2 "
            + "skippedStale=0 deleted=0 oversized=0"), cluster.get("materialize"));
    assertEquals(List.of(
        "u0001 u0001 event_time=2024-03-08T18:11:48Z expires=- {user_id=u0001, age=21, membership_tier=gold, "
            + "total_purchases=4, avg_order_value=705.65, event_time=2024-03-08T18:11:48Z}",
        // a profile newer than its tombstone
        "u0003 u0003 event_time=2024-04-01T11:54:19Z expires=- {user_id=u0003, age=47, membership_tier=gold, "
            + "total_purchases=12, avg_order_value=345.85, event_time=2024-04-01T11:54:19Z}",
        "u0005 none", // deleted after the full load
        "u0201 none",
        "u9999 none"), cluster.get("get users"));
    assertEquals(List.of(
        "u0201 u0201 event_time=2024-05-15T11:00:00Z expires=2024-06-14T11:00:00Z {user_id=u0201, "
            + "event_time=2024-05-15T11:00:00Z, purchases_7d=0, spend_7d=null}", // its last event left the 30d window
        "u0202 u0202 event_time=2024-05-16T12:00:00Z expires=2024-06-15T12:00:00Z {user_id=u0202, "
            + "event_time=2024-05-16T12:00:00Z, purchases_7d=0, spend_7d=null}",
        "u0001 u0001 event_time=2024-04-29T09:00:27Z expires=2024-05-29T09:00:27Z {user_id=u0001, "
            + "event_time=2024-04-29T09:00:27Z, purchases_7d=0, spend_7d=null}"),
        cluster.get("get user_purchase_windows"));
    assertEquals(List.of("p001 p001 event_time=2024-03-05T00:33:12Z expires=- {product_id=p001, category=kitchen, "
        + "price=410.94, avg_rating=null, stock_level=413, event_time=2024-03-05T00:33:12Z}"),
        cluster.get("get products"));
    assertEquals(List.of(
        "users sampled=200 matched=200 missing=0 stale=0 mismatched=0 orphaned=0 offline=v3 watermark=v3",
        "products sampled=50 matched=50 missing=0 stale=0 mismatched=0 orphaned=0 offline=v1 watermark=v1",
        "user_purchase_windows sampled=202 matched=202 missing=0 stale=0 mismatched=0 orphaned=0 offline=v2 "
            + "watermark=v2"), cluster.get("reconcile"));
    assertEquals(List.of(430, 4, 97, 2, 9009, 1, 198, 50, 202), Stream.of("offline users", "quarantine users",
        "offline products", "quarantine products", "offline user_purchase_windows", "quarantine user_purchase_windows",
        "online users", "online products", "online user_purchase_windows")
        .map(s -> cluster.get(s).size()).toList());
  }

  /** The demo's raw data, two delete files and a second batch of events, under {@link ClusterFlow#RAW}. */
  private static void putInputs(S3MockServer s3) throws IOException {
    Path raw = DIR.resolve("raw");
    DemoData.generate(raw, 200, 50, 3000, 42L);
    Files.writeString(raw.resolve("deletes-1.csv"), "user_id,event_time\nu0003,2024-03-15T00:00:00Z\n"
        + "u0007,2024-03-20T00:00:00Z\n");
    Files.writeString(raw.resolve("deletes-2.csv"), "user_id,event_time\nu0005,2024-03-20T00:00:00Z\n");
    Files.writeString(raw.resolve("transactions-2.csv"), """
        transaction_id,user_id,product_id,amount,quantity,purchased_at,returned
        t900001,u0201,p001,10.50,1,2024-04-14T10:00:00Z,false
        t900002,u0201,p002,20.25,2,2024-04-15T11:00:00Z,true
        t900003,u0202,p003,5.00,1,2024-04-16T12:00:00Z,false
        """);
    String prefix = ClusterFlow.RAW.substring(("s3a://" + S3MockServer.BUCKET + "/").length()) + "/";
    try (Stream<Path> files = Files.list(raw)) {
      for (Path f : files.sorted().toList()) {
        s3.put(S3MockServer.BUCKET, prefix + f.getFileName(), Files.readString(f));
      }
    }
  }

  /** Runs the flow in a new JVM and returns its results by section. */
  private static Map<String, List<String>> run(String name, String master, S3MockServer s3, String dynamo)
      throws IOException, InterruptedException {
    Path runDir = DIR.resolve(name);
    Files.createDirectories(runDir.resolve("tmp"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Spark's Java 17 flags, as this JVM got them from the pom
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(ClusterFlow::sparkJvmFlag).forEach(command::add);
    command.add("-Xmx2g");
    command.add("-Djava.io.tmpdir=" + runDir.resolve("tmp"));
    command.add("-Dtidemark.test.target=" + TestSpark.target(""));
    command.add("-D" + ClusterFlow.APP_JAR + "=" + appJar());
    command.add("-cp");
    command.add(classPath());
    command.add(ClusterFlow.class.getName());
    command.addAll(List.of(master, runDir.toString(), name, s3.endpoint(), dynamo));
    ProcessBuilder pb = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")))
        .redirectErrorStream(true).redirectOutput(runDir.resolve("flow.log").toFile());
    // how Spark's workers start executors from a Maven class path (LOCAL-STACK.md)
    pb.environment().put("SPARK_HOME", sparkHome().toString());
    pb.environment().put("SPARK_SCALA_VERSION", scala.util.Properties.versionNumberString()
        .replaceAll("^(\\d+\\.\\d+).*", "$1"));
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("TIDEMARK_HOME", runDir.resolve("home").toString());
    int exit = pb.start().waitFor();
    assertEquals(0, exit, name + " run failed; its log: " + runDir.resolve("flow.log") + "\n" + tail(runDir));
    Map<String, List<String>> sections = new LinkedHashMap<>();
    for (String line : Files.readAllLines(runDir.resolve(ClusterFlow.RESULTS), StandardCharsets.UTF_8)) {
      int tab = line.indexOf('\t');
      sections.computeIfAbsent(line.substring(0, tab), k -> new ArrayList<>()).add(line.substring(tab + 1));
    }
    return sections;
  }

  /**
   * The test class path: surefire starts this JVM from a manifest-only jar and names the real class path in
   * {@code surefire.test.class.path}.
   */
  private static String classPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /**
   * A Spark home whose jars/ links to the class path's jars: a worker starts executors with $SPARK_HOME/jars/* as
   * their class path. Tidemark's own classes (target/classes) are not there: see {@link #appJar()}.
   */
  private static Path sparkHome() throws IOException {
    Path home = DIR.resolve("spark-home");
    Path jars = home.resolve("jars");
    if (!Files.isDirectory(jars)) {
      Files.createDirectories(jars);
      for (String entry : classPath().split(File.pathSeparator)) {
        Path p = Path.of(entry);
        if (entry.endsWith(".jar") && !Files.exists(jars.resolve(p.getFileName()))) {
          Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
        }
      }
    }
    return home;
  }

  /**
   * Tidemark's compiled classes as a jar, the application jar of the cluster run: Spark ships it to the executors as
   * spark-submit does on EMR (the shaded tidemark-jobs.jar is only built in the package phase, after the tests).
   */
  private static Path appJar() throws IOException {
    Path jar = DIR.resolve("tidemark-app.jar");
    if (Files.exists(jar)) {
      return jar;
    }
    Path classes = Path.of(ClusterFlow.class.getProtectionDomain().getCodeSource().getLocation().getPath())
        .resolveSibling("classes");
    try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  private static String single(Map<String, List<String>> results, String section) {
    List<String> lines = results.get(section);
    assertEquals(1, lines == null ? 0 : lines.size(), section + ": " + lines);
    return lines.get(0);
  }

  private static String tail(Path runDir) {
    try {
      List<String> lines = Files.readAllLines(runDir.resolve("flow.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
