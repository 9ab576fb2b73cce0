package io.tidemark.bench;

import io.tidemark.runtime.SparkSessions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ./bench small [--rows 100] [--runs 5]}: the fixed cost of a small job. Each run starts a new JVM, as a
 * scheduled job does: Tidemark's CLI ingesting a new 100-row CSV ({@code tidemark ingest items --source FILE -v},
 * whose phases are printed for the last run) against a floor with the same JVM flags that starts Spark with the
 * same embedded metastore and appends the same rows to a registered Delta table. Runs alternate after an untimed
 * warm-up of each (which creates the tables). Last line:
 * {@code small-bench: tidemark/floor=<x> tidemark=<s>s floor=<s>s rows=<n>}.
 */
public final class SmallBench {
  private SmallBench() {}

  public static void main(String[] args) throws Exception {
    int rows = 100;
    int runs = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("usage: ./bench small [--rows N] [--runs R]");
      }
    }
    BenchHome bench = BenchHome.create("small").items("items", "  - {name: event_time, type: Timestamp}\n");
    List<Path> inputs = new ArrayList<>();
    for (int r = 0; r <= runs; r++) {
      StringBuilder csv = new StringBuilder("item_id,quantity,price,category,active,event_time\n");
      for (int i = 0; i < rows; i++) {
        csv.append(String.format(Locale.ROOT, "i%05d,%d,%.2f,%s,%b,2024-05-%02dT%02d:00:00Z%n", i, r * 1000 + i,
            i * 1.25, i % 2 == 0 ? "books" : "toys", i % 3 == 0, 1 + i % 28, i % 24));
      }
      Path file = bench.dir.resolve("raw/items-" + r + ".csv");
      Files.createDirectories(file.getParent());
      Files.writeString(file, csv.toString(), StandardCharsets.UTF_8);
      inputs.add(file);
    }
    Path tidemarkHome = bench.dir.resolve("tidemark-home");
    Path floorHome = bench.dir.resolve("floor-home");
    System.out.printf(Locale.ROOT, "small-bench: %d rows per run, %d runs, a new JVM each (%s)%n", rows, runs,
        bench.dir);

    run(tidemark(bench, tidemarkHome, inputs.get(0), false));
    run(floor(floorHome, inputs.get(0)));
    List<Double> tidemarkSeconds = new ArrayList<>();
    List<Double> floorSeconds = new ArrayList<>();
    String phases = "";
    for (int r = 1; r <= runs; r++) {
      Timed t = run(tidemark(bench, tidemarkHome, inputs.get(r), r == runs));
      tidemarkSeconds.add(t.seconds);
      phases = t.output;
      floorSeconds.add(run(floor(floorHome, inputs.get(r))).seconds);
      System.out.printf(Locale.ROOT, "run %d: tidemark %.2f s, floor %.2f s%n", r, tidemarkSeconds.get(r - 1),
          floorSeconds.get(r - 1));
    }
    System.out.println("tidemark's last run, phase by phase (--verbose):");
    phases.lines().filter(l -> l.contains("phases:") || l.contains("ingest items:"))
        .forEach(l -> System.out.println("  " + l));
    double ratio = Stats.median(tidemarkSeconds) / Stats.median(floorSeconds);
    System.out.printf(Locale.ROOT, "tidemark ingest (CLI, new JVM): min %.2f s, median %.2f s (%s)%n",
        Stats.min(tidemarkSeconds), Stats.median(tidemarkSeconds), tidemarkSeconds);
    System.out.printf(Locale.ROOT, "floor (new JVM, Spark + metastore + Delta append): min %.2f s, median %.2f s "
        + "(%s)%n", Stats.min(floorSeconds), Stats.median(floorSeconds), floorSeconds);
    System.out.printf(Locale.ROOT, "small-bench: tidemark/floor=%.2f tidemark=%.1fs floor=%.1fs rows=%d%n", ratio,
        Stats.median(tidemarkSeconds), Stats.median(floorSeconds), rows);
  }

  /** The floor's JVM: a local session like the CLI's, with an embedded metastore, appending to a Delta table. */
  public static final class Floor {
    private Floor() {}

    public static void main(String[] args) {
      Path home = Path.of(args[0]);
      SparkSession.Builder builder = SparkSession.builder().master("local[*]").appName("small-floor")
          .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1");
      SparkSessions.withTidemarkDefaults(builder);
      SparkSessions.withLocalDefaults(builder);
      SparkSessions.withEmbeddedMetastore(builder, home);
      SparkSession spark = builder.enableHiveSupport().getOrCreate();
      spark.sql("CREATE DATABASE IF NOT EXISTS floor LOCATION '" + home.resolve("offline/floor") + "'");
      spark.read().option("header", "true").option("inferSchema", "true").csv(args[1])
          .write().format("delta").mode(SaveMode.Append).option("path", home.resolve("offline/floor/items").toString())
          .saveAsTable("floor.items");
      spark.stop();
    }
  }

  private static List<String> tidemark(BenchHome bench, Path home, Path input, boolean verbose) {
    List<String> cmd = java(home);
    cmd.addAll(List.of("io.tidemark.cli.TidemarkCli", "ingest", "items", "--definitions",
        bench.definitions().toString(), "--source", input.toString(), "--format", "csv"));
    if (verbose) {
      cmd.add("--verbose");
    }
    return cmd;
  }

  private static List<String> floor(Path home, Path input) {
    List<String> cmd = java(home);
    cmd.addAll(List.of(Floor.class.getName(), home.toString(), input.toString()));
    return cmd;
  }

  /** The same JVM for both: this one's class path and the launcher's flags and logging. */
  private static List<String> java(Path home) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    String launcher = System.getProperty("log4j2.configurationFile");
    cmd.add("@" + Path.of(launcher).resolveSibling("jvm.options"));
    cmd.addAll(List.of("-Xmx4g", "-Dlog4j2.configurationFile=" + launcher, "-Djava.io.tmpdir=" + home.resolve("tmp"),
        "-Dtidemark.bench.home=" + home, "-cp", System.getProperty("java.class.path")));
    return cmd;
  }

  private record Timed(double seconds, String output) {}

  private static Timed run(List<String> cmd) throws IOException, InterruptedException {
    Path home = Path.of(cmd.stream().filter(a -> a.startsWith("-Dtidemark.bench.home=")).findFirst().orElseThrow()
        .substring("-Dtidemark.bench.home=".length()));
    Files.createDirectories(home.resolve("tmp"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("TIDEMARK_HOME", home.toString());
    pb.environment().remove("TIDEMARK_CONFIG");
    long t0 = System.nanoTime();
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (exit != 0) {
      throw new IllegalStateException("exit " + exit + " from " + String.join(" ", cmd) + ":\n" + output);
    }
    return new Timed(seconds, output);
  }
}
