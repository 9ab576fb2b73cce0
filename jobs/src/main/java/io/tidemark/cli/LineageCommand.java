package io.tidemark.cli;

import io.tidemark.discovery.Lineage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "lineage", mixinStandardHelpOptions = true,
    description = {"Where a group's features went, or what a training set was built from, as the jobs recorded it "
        + "(training sets: groups, table versions, features, spine; batches: input files and transform).",
        "Examples:", "  tidemark lineage users.age", "  tidemark lineage --training-set s3://bucket/training/v1"})
final class LineageCommand extends TidemarkCli.JobCommand {
  /** One of the two directions. */
  static final class Target {
    @Parameters(paramLabel = "GROUP[.FEATURE]", description = "The training sets that read this group (that took "
        + "this feature).")
    String feature;

    @Option(names = "--training-set", paramLabel = "PATH", description = "What the training set at PATH (its "
        + "--output, or its manifest) was built from, down to the raw input files.")
    String trainingSet;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  @Option(names = "--json", description = "One JSON object (per training set for GROUP[.FEATURE]).")
  boolean json;

  @Override
  int execute() {
    Lineage lineage = context.tidemark().lineage();
    if (target.trainingSet != null) {
      print(lineage.trainingSet(target.trainingSet));
      return 0;
    }
    String group = target.feature.contains(".") ? target.feature.substring(0, target.feature.indexOf('.'))
        : target.feature;
    Optional<String> feature = target.feature.contains(".")
        ? Optional.of(target.feature.substring(target.feature.indexOf('.') + 1)) : Optional.empty();
    context.registry().group(group);
    feature.ifPresent(f -> context.registry().group(group).feature(f).orElseThrow(() -> usage("group '" + group
        + "' has no feature '" + f + "' (features: " + String.join(", ", context.registry().group(group)
            .featureNames()) + ")")));
    List<Lineage.Use> uses = lineage.usedBy(group, feature);
    if (!json) {
      System.out.println(target.feature + " was read by " + uses.size() + " training set" + (uses.size() == 1 ? "" : "s")
          + (uses.isEmpty() ? "" : ":"));
    }
    for (Lineage.Use u : uses) {
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output", u.output());
        m.put("manifest", u.manifest());
        m.put("manifest_written", u.manifestWritten());
        m.put("built_at", u.builtAt().toString());
        m.put("group", u.group());
        m.put("version", u.version().orElse(null));
        m.put("features", u.features());
        m.put("spine", u.spine().orElse(null));
        System.out.println(Json.write(m));
      } else {
        System.out.println("  " + u.builtAt() + "  " + u.output() + "  (" + u.group() + u.version().map(v -> " v" + v)
            .orElse("") + ": " + String.join(", ", u.features()) + u.spine().map(s -> "; spine " + s).orElse("")
            + (u.manifestWritten() ? "" : "; no manifest: the build did not finish") + ")");
      }
    }
    return 0;
  }

  private void print(Lineage.TrainingSet t) {
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("output", t.output());
      m.put("manifest", t.manifest());
      m.put("manifest_written", t.manifestWritten());
      m.put("built_at", t.builtAt().toString());
      m.put("spine", t.spine().orElse(null));
      List<Map<String, Object>> groups = new ArrayList<>();
      for (Lineage.GroupSource g : t.groups()) {
        Map<String, Object> gm = new LinkedHashMap<>();
        gm.put("group", g.group());
        gm.put("version", g.version().orElse(null));
        gm.put("features", g.features());
        List<Map<String, Object>> batches = new ArrayList<>();
        for (Lineage.Batch b : g.batches()) {
          Map<String, Object> bm = new LinkedHashMap<>();
          bm.put("batch_id", b.batchId());
          bm.put("kind", b.kind());
          bm.put("table_version", b.tableVersion().orElse(null));
          bm.put("write_time", b.writeTime().toString());
          bm.put("rows_written", b.rowsWritten());
          bm.put("source", b.source());
          bm.put("inputs", b.inputs());
          bm.put("transform", b.transform().orElse(null));
          bm.put("transform_sha256", b.transformSha256().orElse(null));
          batches.add(bm);
        }
        gm.put("batches", batches);
        groups.add(gm);
      }
      m.put("groups", groups);
      System.out.println(Json.write(m));
      return;
    }
    System.out.println("training set " + t.output() + ", built " + t.builtAt() + t.spine().map(s -> " from spine " + s)
        .orElse("") + "; manifest " + t.manifest() + (t.manifestWritten() ? "" : " (not written: the build did not "
        + "finish)"));
    for (Lineage.GroupSource g : t.groups()) {
      System.out.println("  " + g.group() + g.version().map(v -> " v" + v).orElse("") + ": "
          + String.join(", ", g.features()));
      for (Lineage.Batch b : g.batches()) {
        System.out.println("    " + b.kind() + " " + b.batchId().substring(0, 12) + b.tableVersion().map(v -> " -> v"
            + v).orElse("") + " at " + b.writeTime() + ": " + b.rowsWritten() + " rows written from " + b.source()
            + b.transform().map(x -> " through " + x + b.transformSha256().map(h -> " (sha256 " + h.substring(0, 12)
                + ")").orElse("")).orElse(""));
        b.inputs().forEach(i -> System.out.println("      " + i));
      }
    }
  }
}
