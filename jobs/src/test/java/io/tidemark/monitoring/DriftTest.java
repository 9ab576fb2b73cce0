package io.tidemark.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.Tidemark;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.ingest.IngestResult;
import io.tidemark.testing.CliRuns;
import io.tidemark.testing.TestStore;
import io.tidemark.training.OutputFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

/**
 * Per-batch profiles and drift over real ingests: a group ingested for January and for February 2026, where amount
 * moves up by 10 and the timestamp seen by a month while n and country keep their distribution. Windows as time
 * ranges, batches and a training-set manifest; the CLI's exit codes; the HTML report in headless Chromium.
 */
class DriftTest {
  private static final String GROUP = """
      name: m
      record_identifier: id
      event_time: t
      features:
        - {name: id, type: String}
        - {name: t, type: Timestamp}
        - {name: amount, type: Fractional}
        - {name: n, type: Integral}
        - {name: country, type: String}
        - {name: seen, type: Timestamp}
      source:
        path: ${raw_root}/jan.csv
        format: csv
      """;
  private static final String JAN = "2026-01-01..2026-02-01";
  private static final String FEB = "2026-02-01..2026-03-01";

  /** Day k of the month: amount k (+10 in February), n k, country a (k <= 10), b (<= 16), c; seen that day at noon. */
  private static String month(int month, int shift) {
    StringBuilder csv = new StringBuilder("id,t,amount,n,country,seen\n");
    for (int k = 1; k <= 20; k++) {
      String day = String.format("2026-%02d-%02d", month, k);
      csv.append("m").append(k).append(',').append(day).append("T00:00:00Z,").append(k + shift).append(',').append(k)
          .append(',').append(k <= 10 ? "a" : k <= 16 ? "b" : "c").append(',').append(day).append("T12:00:00Z\n");
    }
    return csv.toString();
  }

  @Test
  void profilesAndDrift() throws Exception {
    TestStore store = CliRuns.project("drift").definition("m.yaml", GROUP).write("raw/jan.csv", month(1, 0))
        .write("raw/feb.csv", month(2, 10))
        .write("raw/spine.csv", "id,ts\n" + IntStream.rangeClosed(1, 20).mapToObj(k -> "m" + k + ",2026-03-01T00:00:00Z")
            .collect(Collectors.joining("\n")) + "\n");
    Tidemark tm = store.tidemark();
    IngestResult jan = tm.ingest("m").execute();
    IngestResult feb = tm.ingest("m").source(store.path("raw/feb.csv").toString(), SourceFormat.CSV).execute();

    // per-batch profiles, one row per batch and feature
    List<String> profiles = store.spark().sql("SELECT feature, feature_kind, count, missing, distinct_estimate, min, "
        + "max, mean, deciles, histogram_edges, histogram_counts, top_values FROM " + store.database + ".m__profile "
        + "WHERE batch_id = '" + jan.batchId() + "' ORDER BY feature").collectAsList().stream()
        .map(DriftTest::profileRow).toList();
    String deciles = "[1.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0]";
    String twos = "[2, 2, 2, 2, 2, 2, 2, 2, 2, 2]";
    double jan1Noon = java.time.Instant.parse("2026-01-01T12:00:00Z").getEpochSecond();
    double day = 86400;
    assertEquals(List.of(
        "amount number 20 0 20 1.0 20.0 10.5 " + deciles + " " + edges(1, 20) + " " + twos + " []",
        "country category 20 0 3 null null null [] [] [] [a=10, b=6, c=4]",
        "n number 20 0 20 1.0 20.0 10.5 " + deciles + " " + edges(1, 20) + " " + twos + " []",
        // approx_count_distinct's sketch counts the 20 noons as 19 (HyperLogLog++, 5% relative error)
        "seen timestamp 20 0 19 " + jan1Noon + " " + (jan1Noon + 19 * day) + " " + (jan1Noon + 9.5 * day) + " "
            + IntStream.of(0, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19).mapToObj(k -> String.valueOf(jan1Noon + k * day))
                .collect(Collectors.joining(", ", "[", "]")) + " " + edges(jan1Noon, jan1Noon + 19 * day) + " "
            + twos + " []"),
        profiles);

    // time windows: amount and seen shift, n and country do not
    DriftResult byTime = tm.drift("m").baseline(DriftWindow.parse(JAN)).current(DriftWindow.parse(FEB)).execute();
    assertEquals(List.of("2026-01-01T00:00:00Z..2026-02-01T00:00:00Z (t) 20", "2026-02-01T00:00:00Z..2026-03-01T00:00:00Z (t) 20"),
        List.of(byTime.baseline() + " " + byTime.baselineRows(), byTime.current() + " " + byTime.currentRows()));
    double eps = DriftStatistics.EPSILON;
    // amount: baseline deciles 2, 4, ..., 18 make 10 bins of 2 rows; February's 11..30 fill the top 5 bins (2, 2, 2,
    // 2 and 12 rows); its ECDF trails January's by at most 10 of 20 values
    double amountPsi = psi(new double[] {.1, .1, .1, .1, .1, .1, .1, .1, .1, .1},
        new double[] {eps, eps, eps, eps, eps, .1, .1, .1, .1, .6});
    // seen: every February value is above January's max: 9 empty bins and one with all 20 rows; D = 1
    double seenPsi = psi(new double[] {.1, .1, .1, .1, .1, .1, .1, .1, .1, .1},
        new double[] {eps, eps, eps, eps, eps, eps, eps, eps, eps, 1});
    KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest();
    List<String> decileBins = List.of("<= 2", "(2, 4]", "(4, 6]", "(6, 8]", "(8, 10]", "(10, 12]", "(12, 14]",
        "(14, 16]", "(16, 18]", "> 18");
    List<Long> twoEach = List.of(2L, 2L, 2L, 2L, 2L, 2L, 2L, 2L, 2L, 2L);
    List<String> expected = List.of(
        row("amount", "NUMBER", amountPsi, "KS", 0.5, ks.approximateP(0.5, 20, 20), true, false, decileBins, twoEach,
            List.of(0L, 0L, 0L, 0L, 0L, 2L, 2L, 2L, 2L, 12L)),
        row("n", "NUMBER", 0.0, "KS", 0.0, 1.0, false, false, decileBins, twoEach, twoEach),
        row("country", "CATEGORY", 0.0, "chi-square", 0.0, 1.0, false, false, List.of("a", "b", "c"),
            List.of(10L, 6L, 4L), List.of(10L, 6L, 4L)),
        row("seen", "TIMESTAMP", seenPsi, "KS", 1.0, ks.approximateP(1.0, 20, 20), true, true,
            List.of("<= 2026-01-02T12:00:00Z", "(2026-01-02T12:00:00Z, 2026-01-04T12:00:00Z]",
                "(2026-01-04T12:00:00Z, 2026-01-06T12:00:00Z]", "(2026-01-06T12:00:00Z, 2026-01-08T12:00:00Z]",
                "(2026-01-08T12:00:00Z, 2026-01-10T12:00:00Z]", "(2026-01-10T12:00:00Z, 2026-01-12T12:00:00Z]",
                "(2026-01-12T12:00:00Z, 2026-01-14T12:00:00Z]", "(2026-01-14T12:00:00Z, 2026-01-16T12:00:00Z]",
                "(2026-01-16T12:00:00Z, 2026-01-18T12:00:00Z]", "> 2026-01-18T12:00:00Z"), twoEach,
            List.of(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 20L)));
    assertEquals(expected, rows(byTime));
    assertEquals(List.of("DRIFT (PSI)", "ok", "ok", "DRIFT (PSI, KS)"),
        byTime.features().stream().map(DriftResult.FeatureDrift::verdict).toList());
    // the ECDFs are compared at both sides' values: 1..30 for amount
    assertEquals(30, byTime.features().get(0).ecdf().size());

    // the same rows as batches (a full id and a 12-character prefix), and February as a training set took it
    DriftResult byBatch = tm.drift("m").baseline(DriftWindow.parse("batch:" + jan.batchId()))
        .current(DriftWindow.parse("batch:" + feb.batchId().substring(0, 12))).execute();
    assertEquals(expected, rows(byBatch));
    assertTrue(byBatch.baseline().startsWith("batch " + jan.batchId().substring(0, 12) + " (ingest at 2026-"),
        byBatch.baseline());
    String out = store.path("out/feb").toString();
    tm.trainingSet().spine(store.path("raw/spine.csv").toString(), SourceFormat.CSV).spineTimeColumn("ts")
        .features("m:amount,n,country").output(out, OutputFormat.PARQUET).execute();
    DriftResult byManifest = tm.drift("m").baseline(DriftWindow.parse(JAN)).current(DriftWindow.parse("manifest:" + out))
        .execute();
    assertEquals(expected.subList(0, 3), rows(byManifest));
    assertEquals("training set " + out + " (m v2)", byManifest.current());

    // a training set built with its profile and a drift report against the group's last 30 days (February)
    String cliOut = store.path("out/cli").toString();
    CliRuns.Run built = cli(store, "training-set", "--spine", store.path("raw/spine.csv").toString(),
        "--spine-time-column", "ts", "--features", "m:amount,n,country", "--output", cliOut, "--profile",
        "--drift-report");
    assertEquals(0, built.exit(), built.err());
    List<String> builtLines = built.out().lines().toList();
    assertEquals(List.of("profile: 3 features -> " + cliOut + ".profile.json",
        "drift m, its last 30 days vs this training set: no drift in 3 features; report " + cliOut
            + ".drift-m.html"), builtLines.subList(1, builtLines.size()));
    com.fasterxml.jackson.databind.JsonNode profile = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(Files.readString(Path.of(cliOut + ".profile.json")));
    assertEquals(List.of("m.amount number 20 0 [11.0,12.0,14.0,16.0,18.0,20.0,22.0,24.0,26.0,28.0,30.0] "
            + "[2,2,2,2,2,2,2,2,2,2] []",
        "m.n number 20 0 [1.0,2.0,4.0,6.0,8.0,10.0,12.0,14.0,16.0,18.0,20.0] [2,2,2,2,2,2,2,2,2,2] []",
        "m.country category 20 0 [] [] [{\"value\":\"a\",\"count\":10},{\"value\":\"b\",\"count\":6},"
            + "{\"value\":\"c\",\"count\":4}]"),
        java.util.stream.StreamSupport.stream(profile.get("features").spliterator(), false).map(f ->
            f.get("feature").asText() + " " + f.get("kind").asText() + " " + f.get("count") + " " + f.get("missing")
                + " " + f.get("deciles") + " " + f.get("histogram_counts") + " " + f.get("top_values")).toList());
    assertTrue(Files.readString(Path.of(cliOut + ".drift-m.html")).contains("no drift in 3 features"));

    // the CLI: a table, a report, exit 1 on drift and 0 without
    Path report = store.path("reports/m.html");
    CliRuns.Run drifted = cli(store, "drift", "m", "--baseline", JAN, "--current", FEB, "--report", report.toString());
    assertEquals(1, drifted.exit(), drifted.err());
    assertEquals(List.of(
        "drift m: baseline 2026-01-01T00:00:00Z..2026-02-01T00:00:00Z (t), 20 rows; current "
            + "2026-02-01T00:00:00Z..2026-03-01T00:00:00Z (t), 20 rows; drifts when PSI > 0.2000 or p < 0.0100",
        "  feature  kind       PSI     test        statistic  p-value   verdict",
        "  amount   number     4.3463  KS          0.5000     0.0135    DRIFT (PSI)",
        "  n        number     0.0000  KS          0.0000     1.0000    ok",
        "  country  category   0.0000  chi-square  0.0000     1.0000    ok",
        "  seen     timestamp  8.2831  KS          1.0000     4.12e-09  DRIFT (PSI, KS)",
        "2 of 4 features drifted (amount, seen); report " + report), drifted.out().lines().toList());
    CliRuns.Run stable = cli(store, "drift", "m", "--baseline", JAN, "--current", FEB, "--features", "n,country",
        "--report", store.path("reports/stable.html").toString(), "--json");
    assertEquals(0, stable.exit(), stable.err());
    assertTrue(stable.out().startsWith("{\"group\":\"m\",\"baseline\":\"2026-01-01T00:00:00Z..2026-02-01T00:00:00Z (t)\","
        + "\"baseline_rows\":20,"), stable.out());
    assertTrue(stable.out().contains("\"drifted\":false,"), stable.out());

    // the report: one PNG per chart (bins for every feature, ECDFs for numbers and timestamps), of the stated size
    String html = Files.readString(report);
    Matcher img = Pattern.compile("<img width=\"560\" height=\"320\" alt=\"([^\"]+)\" src=\"data:image/png;base64,"
        + "([A-Za-z0-9+/=]+)\">").matcher(html);
    List<String> charts = new ArrayList<>();
    while (img.find()) {
      BufferedImage png = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(img.group(2))));
      charts.add(img.group(1) + " " + png.getWidth() + "x" + png.getHeight());
    }
    assertEquals(List.of("amount: share of rows per bin 560x320", "amount: cumulative distribution 560x320",
        "n: share of rows per bin 560x320", "n: cumulative distribution 560x320",
        "country: share of rows per bin 560x320", "seen: share of rows per bin 560x320",
        "seen: cumulative distribution 560x320"), charts);
    // the bar charts' axis labels: timestamp bins by their upper edge, to the minute; long values cut
    assertEquals(List.of("<= 2026-01-02 12:00", "to 2026-01-04 12:00", "> 2026-01-18 12:00",
        "a value longer than 24 \u2026"),
        List.of(DriftReport.axisLabel("<= 2026-01-02T12:00:00Z", FeatureKind.TIMESTAMP),
            DriftReport.axisLabel("(2026-01-02T12:00:00Z, 2026-01-04T12:00:00Z]", FeatureKind.TIMESTAMP),
            DriftReport.axisLabel("> 2026-01-18T12:00:00Z", FeatureKind.TIMESTAMP),
            DriftReport.axisLabel("a value longer than 24 characters", FeatureKind.CATEGORY)));
    assertTrue(html.contains("<h1>Drift of m: <span class=\"drift\">2 of 4 features drifted</span></h1>"), html);

    // ... and as a browser shows it
    BufferedImage shot = ReportScreenshots.screenshot(report, store.path("reports/chromium"), 1200, 2000);
    assertEquals("1200x2000", shot.getWidth() + "x" + shot.getHeight());
    ReportScreenshots.Pixels px = ReportScreenshots.count(shot, DriftReport.BASELINE, DriftReport.CURRENT);
    // a blank or broken page has no pixel of either series colour; the first charts fill a good part of the page
    assertTrue(px.first() > 10_000 && px.second() > 10_000 && px.nonWhite() > 100_000, px.toString());
  }

  /** PSI by its definition: the sum over bins, in bin order, of (q - p) ln(q / p). */
  private static double psi(double[] p, double[] q) {
    double sum = 0;
    for (int k = 0; k < p.length; k++) {
      sum += (q[k] - p[k]) * Math.log(q[k] / p[k]);
    }
    return sum;
  }

  /** 10 equal-width bins' edges over [min, max], as the profile computes them. */
  private static String edges(double min, double max) {
    return IntStream.rangeClosed(0, 10).mapToObj(k -> String.valueOf(k == 0 ? min : k == 10 ? max
        : min + k * (max - min) / 10)).collect(Collectors.joining(", ", "[", "]"));
  }

  /** A profile row with its arrays as lists (the same text on Scala 2.12 and 2.13). */
  private static String profileRow(org.apache.spark.sql.Row r) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      if (i == 11) {
        out.add(r.<org.apache.spark.sql.Row>getList(i).stream().map(v -> v.getString(0) + "=" + v.getLong(1))
            .toList().toString());
      } else {
        out.add(i >= 8 ? String.valueOf(r.getList(i)) : String.valueOf(r.get(i)));
      }
    }
    return String.join(" ", out);
  }

  private static String row(String feature, String kind, double psi, String test, double statistic, double p,
      boolean psiCrossed, boolean testCrossed, List<String> bins, List<Long> baseline, List<Long> current) {
    return String.join(" | ", feature, kind, String.valueOf(psi), test, String.valueOf(statistic), String.valueOf(p),
        String.valueOf(psiCrossed), String.valueOf(testCrossed), bins.toString(), baseline.toString(),
        current.toString());
  }

  private static List<String> rows(DriftResult r) {
    return r.features().stream().map(f -> row(f.feature(), f.kind().name(), f.psi(), f.test(),
        f.statistic().orElseThrow(), f.pValue().orElseThrow(), f.psiCrossed(), f.testCrossed(), f.bins(),
        f.baselineCounts(), f.currentCounts())).toList();
  }

  private static CliRuns.Run cli(TestStore store, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", store.path("tidemark.yaml").toString(), "--definitions",
        store.path("feature-definitions").toString()));
    return CliRuns.run(() -> io.tidemark.cli.TidemarkCli.runWith(store.spark(), all.toArray(String[]::new)));
  }
}
