package io.tidemark.monitoring;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * The drift comparison as one self-contained HTML file: the thresholds, a summary table, and per feature its
 * numbers, the share of each side's rows per PSI bin (a bar chart) and, for numbers and timestamps, both ECDFs (a
 * line chart; dates on the axis for timestamps). Charts are XChart PNGs embedded as base64 {@code <img>}s, so the
 * file opens anywhere, also from S3.
 */
public final class DriftReport {
  /** Baseline blue and current orange (matplotlib's first two colours), also what the screenshot test looks for. */
  public static final Color BASELINE = new Color(0x1f, 0x77, 0xb4);
  public static final Color CURRENT = new Color(0xff, 0x7f, 0x0e);
  public static final int CHART_WIDTH = 560;
  public static final int CHART_HEIGHT = 320;

  private DriftReport() {}

  /** Writes the report to {@code path} (local or any Hadoop file system, e.g. s3://). */
  public static void write(DriftResult result, String path, Configuration conf) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      try (OutputStream out = fs.create(p, true)) {
        out.write(html(result).getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the drift report " + path + ": " + e.getMessage(), e);
    }
  }

  public static String html(DriftResult r) {
    if (System.getProperty("java.awt.headless") == null) {
      // the charts are drawn off screen; without this AWT may look for a display
      System.setProperty("java.awt.headless", "true");
    }
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drift: ").append(esc(r.group()))
        .append("</title>\n<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;"
            + "margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child"
            + "{text-align:left}.drift{color:#b00020;font-weight:bold}.ok{color:#1b7f3b}.charts img{margin:4px 8px 4px 0;"
            + "border:1px solid #eee}section{margin-top:28px}</style></head><body>\n");
    h.append("<h1>Drift of ").append(esc(r.group())).append(": ").append(r.drifted()
        ? "<span class=\"drift\">" + r.drifting().size() + " of " + r.features().size() + " features drifted</span>"
        : "<span class=\"ok\">no drift in " + r.features().size() + " features</span>").append("</h1>\n");
    h.append("<p>Baseline: ").append(esc(r.baseline())).append(", ").append(r.baselineRows()).append(" rows<br>")
        .append("Current: ").append(esc(r.current())).append(", ").append(r.currentRows()).append(" rows</p>\n");
    h.append("<p>A feature drifts when its PSI is above ").append(num(r.psiThreshold()))
        .append(" or its two-sample test's p-value is below ").append(num(r.alpha())).append(". PSI = &Sigma; (q &minus; p)"
            + " ln(q / p) over the bins, p and q the baseline's and current's shares of rows (at least ")
        .append(num(DriftStatistics.EPSILON)).append("); bins: the baseline's deciles for numbers, its top ")
        .append(Profiler.TOP_VALUES).append(" values and (other) for strings, and (missing). Tests: two-sample "
            + "Kolmogorov&ndash;Smirnov (numbers, timestamps), chi-square (strings, booleans).</p>\n");
    h.append("<table><tr><th>feature</th><th>kind</th><th>PSI</th><th>test</th><th>statistic</th><th>p-value</th>"
        + "<th>missing (baseline / current)</th><th>verdict</th></tr>\n");
    for (DriftResult.FeatureDrift f : r.features()) {
      h.append("<tr><td><a href=\"#f-").append(esc(f.feature())).append("\">").append(esc(f.feature()))
          .append("</a></td><td>").append(kind(f.kind())).append("</td><td>").append(num(f.psi())).append("</td><td>")
          .append(f.test()).append("</td><td>").append(opt(f.statistic())).append("</td><td>").append(opt(f.pValue()))
          .append("</td><td>").append(f.baselineMissing()).append(" / ").append(f.currentMissing())
          .append("</td><td class=\"").append(f.drifted() ? "drift" : "ok").append("\">").append(f.verdict())
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
    for (DriftResult.FeatureDrift f : r.features()) {
      h.append("<section id=\"f-").append(esc(f.feature())).append("\"><h2>").append(esc(f.feature())).append(" <span class=\"")
          .append(f.drifted() ? "drift" : "ok").append("\">").append(f.verdict()).append("</span></h2>\n<p>PSI ")
          .append(num(f.psi())).append(", ").append(f.test()).append(" statistic ").append(opt(f.statistic()))
          .append(", p-value ").append(opt(f.pValue()));
      if (f.baselineMean().isPresent() || f.currentMean().isPresent()) {
        h.append(", mean ").append(mean(f.baselineMean(), f.kind())).append(" &rarr; ")
            .append(mean(f.currentMean(), f.kind()));
      }
      h.append("</p>\n<div class=\"charts\">");
      img(h, bins(r, f), f.feature() + ": share of rows per bin");
      if (!f.ecdf().isEmpty()) {
        img(h, ecdf(f), f.feature() + ": cumulative distribution");
      }
      h.append("</div>\n<table><tr><th>bin</th><th>baseline rows</th><th>current rows</th></tr>\n");
      for (int k = 0; k < f.bins().size(); k++) {
        h.append("<tr><td>").append(esc(f.bins().get(k))).append("</td><td>").append(f.baselineCounts().get(k))
            .append("</td><td>").append(f.currentCounts().get(k)).append("</td></tr>\n");
      }
      h.append("</table></section>\n");
    }
    return h.append("</body></html>\n").toString();
  }

  /** Side-by-side bars: each side's share of its rows per PSI bin. */
  public static CategoryChart bins(DriftResult r, DriftResult.FeatureDrift f) {
    CategoryChart chart = new CategoryChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT)
        .title(f.feature() + ": share of rows per bin").xAxisTitle(f.kind().numeric() ? "baseline decile bin" : "value")
        .yAxisTitle("share of rows").build();
    style(chart.getStyler());
    chart.getStyler().setXAxisLabelRotation(f.bins().size() > 4 ? 45 : 0);
    chart.getStyler().setYAxisDecimalPattern("0.00");
    List<String> labels = f.bins().stream().map(b -> axisLabel(b, f.kind())).toList();
    chart.addSeries("baseline", labels, shares(f.baselineCounts(), r.baselineRows()));
    chart.addSeries("current", labels, shares(f.currentCounts(), r.currentRows()));
    return chart;
  }

  /**
   * A bin's label short enough for the axis (the table under the chart has it whole): timestamps to the minute and
   * by their upper edge ("to 2026-01-04 12:00"), long values cut.
   */
  static String axisLabel(String bin, FeatureKind kind) {
    String label = bin;
    if (kind == FeatureKind.TIMESTAMP) {
      label = label.replaceAll("(\\d{4}-\\d{2}-\\d{2})T(\\d{2}:\\d{2}):\\d{2}(\\.\\d+)?Z", "$1 $2");
      if (label.startsWith("(")) {
        label = "to " + label.substring(label.indexOf(", ") + 2, label.length() - 1);
      }
    }
    return label.length() > 24 ? label.substring(0, 23) + "\u2026" : label;
  }

  /** Both empirical CDFs at the common edges, as steps; dates on the x axis for timestamps. */
  public static XYChart ecdf(DriftResult.FeatureDrift f) {
    XYChart chart = new XYChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT)
        .title(f.feature() + ": cumulative distribution").xAxisTitle(f.kind() == FeatureKind.TIMESTAMP ? "time (UTC)"
            : f.feature()).yAxisTitle("share of values <= x").build();
    style(chart.getStyler());
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
    chart.getStyler().setMarkerSize(0);
    if (f.kind() == FeatureKind.TIMESTAMP) {
      chart.getStyler().setDatePattern("yyyy-MM-dd");
      chart.getStyler().setTimezone(java.util.TimeZone.getTimeZone("UTC"));
    }
    List<Object> x = new ArrayList<>();
    List<Double> b = new ArrayList<>();
    List<Double> c = new ArrayList<>();
    for (DriftResult.EcdfPoint p : f.ecdf()) {
      x.add(f.kind() == FeatureKind.TIMESTAMP ? new Date(Math.round(p.x() * 1000)) : (Object) p.x());
      b.add(p.baseline());
      c.add(p.current());
    }
    chart.addSeries("baseline", x, b);
    chart.addSeries("current", x, c);
    return chart;
  }

  private static void style(Styler s) {
    s.setSeriesColors(new Color[] {BASELINE, CURRENT});
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setLegendPosition(Styler.LegendPosition.OutsideS);
    s.setLegendLayout(Styler.LegendLayout.Horizontal);
    s.setAntiAlias(true);
  }

  private static void img(StringBuilder h, Chart<?, ?> chart, String alt) {
    try {
      byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
      h.append("<img width=\"").append(CHART_WIDTH).append("\" height=\"").append(CHART_HEIGHT).append("\" alt=\"")
          .append(esc(alt)).append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
          .append("\">");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot draw the chart '" + alt + "': " + e.getMessage(), e);
    }
  }

  private static List<Double> shares(List<Long> counts, long rows) {
    return counts.stream().map(c -> (double) c / rows).toList();
  }

  private static String kind(FeatureKind k) {
    return k.name().toLowerCase(Locale.ROOT);
  }

  private static String mean(Optional<Double> m, FeatureKind kind) {
    return m.map(x -> DriftStatistics.format(x, kind)).orElse("-");
  }

  /** 4 decimals; tiny values (p-values) in scientific notation rather than as 0.0000. */
  public static String num(double x) {
    return x != 0 && Math.abs(x) < 1e-3 ? String.format(Locale.ROOT, "%.2e", x)
        : String.format(Locale.ROOT, "%.4f", x);
  }

  private static String opt(Optional<Double> x) {
    return x.map(DriftReport::num).orElse("-");
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
