package io.tidemark.cli;

import io.tidemark.monitoring.DriftResult;
import io.tidemark.monitoring.DriftWindow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "drift", mixinStandardHelpOptions = true,
    description = {"Compare a group's features between a baseline and a current window: per feature the population "
        + "stability index (PSI) and a two-sample test (Kolmogorov-Smirnov for numbers and timestamps, chi-square for "
        + "strings and booleans). Prints a table, writes an HTML report with charts, and exits 1 when a feature "
        + "crosses a threshold (0 otherwise), so it can gate a pipeline.",
        "A window is START..END (event time, UTC, the end exclusive; dates or instants), batch:ID (the rows an "
            + "ingest batch wrote) or manifest:PATH (the group's columns of a training set).",
        "Examples:", "  tidemark drift users --baseline 2026-01-01..2026-02-01 --current 2026-02-01..2026-03-01",
        "  tidemark drift users --baseline manifest:s3://ml/training/v1 --current batch:a1eba1196fd4 --report "
            + "s3://ml/reports/users.html"})
final class DriftCommand extends TidemarkCli.JobCommand {
  @Parameters(index = "0", paramLabel = "GROUP", description = "The feature group.")
  String group;

  @Option(names = "--baseline", required = true, paramLabel = "WINDOW", description = "What the current window is "
      + "compared with: START..END, batch:ID or manifest:PATH.")
  String baseline;

  @Option(names = "--current", required = true, paramLabel = "WINDOW", description = "The window checked for drift.")
  String current;

  @Option(names = "--features", split = ",", paramLabel = "F1,F2", description = "Features to compare (default: "
      + "every value feature but collections; of a training set, those it took).")
  List<String> features = new ArrayList<>();

  @Option(names = "--psi-threshold", paramLabel = "X", defaultValue = "0.2", description = "A feature drifts when "
      + "its PSI is above X (default: ${DEFAULT-VALUE}; 0.1 flags moderate shifts).")
  double psiThreshold;

  @Option(names = "--alpha", paramLabel = "P", defaultValue = "0.01", description = "... or when its test's p-value "
      + "is below P (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(names = "--report", paramLabel = "FILE", description = "Where the HTML report goes, local or s3:// "
      + "(default: $TIDEMARK_HOME/reports/drift-GROUP.html).")
  String report;

  @Option(names = "--json", description = "One JSON object instead of the table.")
  boolean json;

  @Override
  int execute() {
    context.registry().group(group);
    DriftWindow b = DriftWindow.parse(baseline);
    DriftWindow c = DriftWindow.parse(current);
    DriftResult r = context.tidemark().drift(group).baseline(b).current(c).psiThreshold(psiThreshold).alpha(alpha)
        .features(features).execute();
    String reportPath = context.tidemark().writeDriftReport(r, Optional.ofNullable(report));
    if (json) {
      System.out.println(Json.write(json(r, reportPath)));
    } else {
      r.table().forEach(System.out::println);
      System.out.println(r.verdict() + "; report " + reportPath);
    }
    return r.drifted() ? TidemarkCli.EXIT_FAILED : 0;
  }

  private static Map<String, Object> json(DriftResult r, String reportPath) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("group", r.group());
    m.put("baseline", r.baseline());
    m.put("baseline_rows", r.baselineRows());
    m.put("current", r.current());
    m.put("current_rows", r.currentRows());
    m.put("psi_threshold", r.psiThreshold());
    m.put("alpha", r.alpha());
    m.put("drifted", r.drifted());
    List<Map<String, Object>> fs = new ArrayList<>();
    for (DriftResult.FeatureDrift f : r.features()) {
      Map<String, Object> fm = new LinkedHashMap<>();
      fm.put("feature", f.feature());
      fm.put("kind", f.kind().name().toLowerCase(Locale.ROOT));
      fm.put("psi", f.psi());
      fm.put("test", f.test());
      fm.put("statistic", f.statistic().orElse(null));
      fm.put("p_value", f.pValue().orElse(null));
      fm.put("psi_crossed", f.psiCrossed());
      fm.put("test_crossed", f.testCrossed());
      fm.put("verdict", f.verdict());
      fm.put("bins", f.bins());
      fm.put("baseline_counts", f.baselineCounts());
      fm.put("current_counts", f.currentCounts());
      fs.add(fm);
    }
    m.put("features", fs);
    m.put("report", reportPath);
    return m;
  }
}
