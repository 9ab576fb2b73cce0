package io.tidemark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.demo.DemoData;
import io.tidemark.online.LocalDynamoDb;
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
    assertEquals(cluster.get("training-rows"), cluster.get("rebuilt-rows"));
    assertEquals(3001, cluster.get("training-rows").size());
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
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
            || a.startsWith("-Djdk.reflect.") || a.startsWith("-Daws."))
        .forEach(command::add);
    command.add("-Xmx2g");
    command.add("-Djava.io.tmpdir=" + runDir.resolve("tmp"));
    command.add("-Dtidemark.test.target=" + TestSpark.target(""));
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

  /** A Spark home whose jars/ links to the class path's jars: a worker starts executors with $SPARK_HOME/jars/*. */
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
