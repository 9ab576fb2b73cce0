package io.tidemark.cli;

import io.tidemark.asof.AsOfJoin;
import io.tidemark.definitions.Durations;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.monitoring.TrainingSetChecks;
import io.tidemark.offline.OfflineStore;
import io.tidemark.training.OutputFormat;
import io.tidemark.training.TrainingSetAction;
import io.tidemark.training.TrainingSetResult;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark training-set}: the options, checked before Spark starts (a typo fails in a second), set on one
 * {@link TrainingSetAction}; then the summary, and the optional profile and drift reports. The checks are written
 * out rather than declared (an exclusive {@code @ArgGroup}, type converters) because picocli would word their
 * errors differently, and scripts and tests read those lines.
 */
@Command(name = "training-set", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Build a point-in-time-correct training set: each spine (label) row joined to the chosen "
        + "features as they were at the row's time, with no leakage from the future.",
        "For each spine row and group: the group's version with the greatest event_time <= the spine time (and "
            + ">= spine time - TTL) wins; ties go to the later write_time, then a tombstone, then the values. A "
            + "winning tombstone or no candidate gives nulls. Every spine row comes out exactly once.",
        "Writes <output>.manifest.json beside the output; --from-manifest rebuilds the same rows later.", ""},
    footer = {"", "Examples:",
        "  tidemark training-set --spine labels.csv --spine-time-column purchased_at \\",
        "      --label returned --features users:* --features products:price,category \\",
        "      --output out/train",
        "  tidemark training-set --from-manifest out/train.manifest.json \\",
        "      --output out/train-rebuilt"})
final class TrainingSetCommand extends TidemarkCli.JobCommand {
  @Option(names = "--spine", paramLabel = "PATH",
      description = "Spine file or folder (local, s3://): entity ids, a time and labels.")
  String spine;

  @Option(names = "--spine-format", paramLabel = "FMT", defaultValue = "csv", converter = SourceFormats.class,
      description = "Format of --spine: csv (with header; columns typed by their values, join keys kept as "
          + "text), json, parquet or delta (default: ${DEFAULT-VALUE}).")
  SourceFormat spineFormat;

  @Option(names = "--spine-option", paramLabel = "KEY=VALUE",
      description = "A Spark reader option of --spine, over Tidemark's defaults (csv: header=true, multiLine=true, "
          + "quote=\", escape=\" as in RFC 4180). Repeatable.")
  Map<String, String> spineOptions = new LinkedHashMap<>();

  @Option(names = "--spine-table", paramLabel = "DB.TABLE", description = "Read the spine from a catalog table.")
  String spineTable;

  @Option(names = "--spine-time-column", paramLabel = "COL",
      description = "The spine column each row is as of: a timestamp, a date or ISO-8601 text (UTC if no zone).")
  String spineTimeColumn;

  @Option(names = "--features", paramLabel = "GROUP:FEATURES",
      description = "Features to join, repeatable: GROUP:FEATURE[,FEATURE...] or GROUP:* (all but the record id "
          + "and event time).")
  List<String> features = new ArrayList<>();

  @Option(names = "--join-key", paramLabel = "GROUP=COL",
      description = "The spine column holding GROUP's record id (default: the column named like the record id). "
          + "Repeatable.")
  List<String> joinKeys = new ArrayList<>();

  @Option(names = "--ttl", paramLabel = "GROUP=DURATION",
      description = "Override GROUP's TTL (e.g. users=30d, or users=none for unbounded; at most 36500d). "
          + "Repeatable.")
  List<String> ttls = new ArrayList<>();

  @Option(names = "--strict", description = "Use event_time < spine time instead of <=.")
  boolean strict;

  @Option(names = "--delay", paramLabel = "DURATION",
      description = "Features become usable only DURATION after their event time: event_time <= spine time - D.")
  String delay;

  @Option(names = "--as-known-at", description = "Bitemporal: only rows written by the spine time count "
      + "(write_time <= spine time), so late corrections never leak into earlier labels.")
  boolean asKnownAt;

  @Option(names = "--as-of", paramLabel = "INSTANT",
      description = "Time travel: only rows written at or before INSTANT (ISO-8601, e.g. 2024-05-01T00:00:00Z).")
  String asOf;

  @Option(names = "--prefix-features", description = "Name feature columns <group>__<feature>.")
  boolean prefixFeatures;

  @Option(names = "--output", paramLabel = "PATH", description = "Where to write the training set (a folder).")
  String output;

  @Option(names = "--output-format", paramLabel = "FMT",
      description = "parquet, delta, csv or sagemaker-csv (no header, label first, features only) "
          + "(default: parquet; with --from-manifest the manifest's).")
  String outputFormat;

  @Option(names = "--output-option", paramLabel = "KEY=VALUE",
      description = "A Spark writer option of a csv or sagemaker-csv output, over Tidemark's defaults (quote=\", "
          + "escape=\" as in RFC 4180, leading and trailing spaces kept). Repeatable.")
  Map<String, String> outputOptions = new LinkedHashMap<>();

  @Option(names = "--label", paramLabel = "COL", description = "The label column (required for sagemaker-csv).")
  String label;

  @Option(names = "--register-table", paramLabel = "DB.TABLE",
      description = "Also register the output as a catalog table.")
  String registerTable;

  @Option(names = "--overwrite", description = "Replace an existing output, its manifest and registered table.")
  boolean overwrite;

  @Option(names = "--single-file", description = "Write exactly one data file (default: files of about "
      + "offline.target_file_size, none empty).")
  boolean singleFile;

  @Option(names = "--from-manifest", paramLabel = "FILE",
      description = "Rebuild the training set a manifest describes (same spine, options and table versions); "
          + "other options here override its output.")
  String fromManifest;

  @Option(names = "--profile", description = "Also profile the feature columns (count, missing, distinct "
      + "estimate, deciles, histogram, top values) into <output>.profile.json.")
  boolean profile;

  @Option(names = "--drift-report", description = "Also compare each group's features in the training set with the "
      + "group's last 30 days of history (up to its last event) and write <output>.drift-<group>.html; prints each "
      + "verdict (the build still exits 0).")
  boolean driftReport;

  @Option(names = "--engine", paramLabel = "NAME", defaultValue = "zip-partitions", hidden = true,
      description = "Merge wiring: cogroup or zip-partitions (default: ${DEFAULT-VALUE}).")
  String engine;

  @Override
  int execute() {
    Consumer<TrainingSetAction> settings = fromManifest != null ? rebuildSettings() : settings();
    TrainingSetAction action = context.tidemark().trainingSet();
    settings.accept(action);
    Progress.info("training-set " + (fromManifest != null ? "from " + fromManifest : "") + " ...");
    TrainingSetResult result = action.execute();
    result.warnings().forEach(w -> Progress.info("warning: " + w));
    System.out.println(result.summary());
    OfflineStore store = context.tidemark().offlineStore();
    if (profile) {
      TrainingSetChecks.Profile p = TrainingSetChecks.writeProfile(store, context.registry(), result.manifest());
      System.out.println("profile: " + p.features().size() + " features -> " + p.path());
    }
    if (driftReport) {
      for (TrainingSetChecks.Report r : TrainingSetChecks.writeDriftReports(store, context.registry(),
          result.manifest())) {
        System.out.println("drift " + r.result().group() + ", its last 30 days vs this training set: "
            + r.result().verdict() + "; report " + r.path());
      }
    }
    return 0;
  }

  private Consumer<TrainingSetAction> rebuildSettings() {
    if (spine != null || spineTable != null || !features.isEmpty() || spineTimeColumn != null || !joinKeys.isEmpty()
        || !ttls.isEmpty() || strict || delay != null || asKnownAt || asOf != null || prefixFeatures
        || label != null) {
      throw usage("--from-manifest takes the spine, features and join options from the "
          + "manifest; only --output, --output-format, --register-table and --overwrite may go with it");
    }
    Optional<OutputFormat> format = Optional.ofNullable(outputFormat).map(this::parseFormat);
    return action -> {
      action.fromManifest(fromManifest);
      if (output != null || format.isPresent()) {
        action.output(output != null ? output : action.outputPath(), format.orElse(action.outputFormat()));
      }
      common(action);
    };
  }

  private Consumer<TrainingSetAction> settings() {
    if (spine != null && spineTable != null) {
      throw usage("pass --spine PATH or --spine-table DB.TABLE, not both");
    }
    if (output == null) {
      throw usage("no output: pass --output PATH");
    }
    if (spine == null && spineTable == null) {
      throw usage("no spine: pass --spine PATH (csv, json, parquet or delta) or --spine-table DB.TABLE");
    }
    if (spineTimeColumn == null) {
      throw usage("no spine time column: pass --spine-time-column COL (the time each label row is as of)");
    }
    if (features.isEmpty()) {
      throw usage("no features: pass --features GROUP:FEATURE[,FEATURE...] or GROUP:* (repeatable)");
    }
    if (!spineOptions.isEmpty() && spine == null) {
      throw usage("--spine-option goes with --spine PATH");
    }
    Optional<SourceFormat> fileFormat = Optional.ofNullable(spine).map(s -> spineFormat);
    OutputFormat format = outputFormat == null ? OutputFormat.PARQUET : parseFormat(outputFormat);
    List<Map.Entry<String, String>> keys = joinKeys.stream().map(j -> pair(j, "--join-key", "GROUP=COLUMN"))
        .toList();
    List<Map.Entry<String, Optional<Duration>>> ttlValues = new ArrayList<>();
    for (String t : ttls) {
      Map.Entry<String, String> kv = pair(t, "--ttl", "GROUP=DURATION or GROUP=none");
      ttlValues.add(Map.entry(kv.getKey(), kv.getValue().equalsIgnoreCase("none") ? Optional.empty()
          : Optional.of(duration(kv.getValue(), "--ttl " + kv.getKey()))));
    }
    Duration delayValue = delay == null ? Duration.ZERO : duration(delay, "--delay");
    Optional<Instant> asOfValue;
    try {
      asOfValue = Optional.ofNullable(asOf).map(Instant::parse);
    } catch (DateTimeParseException e) {
      throw usage("--as-of: '" + asOf + "' is not an ISO-8601 instant like "
          + "2024-05-01T00:00:00Z");
    }
    AsOfJoin.Strategy strategy = switch (engine.toLowerCase(Locale.ROOT)) {
      case "cogroup" -> AsOfJoin.Strategy.COGROUP;
      case "zip-partitions" -> AsOfJoin.Strategy.ZIP_PARTITIONS;
      default -> throw usage("--engine: '" + engine + "'; use cogroup or zip-partitions");
    };
    return action -> {
      fileFormat.ifPresent(f -> action.spine(spine, f));
      if (!spineOptions.isEmpty()) {
        action.spineOptions(spineOptions);
      }
      if (spineTable != null) {
        action.spineTable(spineTable);
      }
      action.spineTimeColumn(spineTimeColumn);
      features.forEach(action::features);
      keys.forEach(kv -> action.joinKey(kv.getKey(), kv.getValue()));
      ttlValues.forEach(e -> action.ttl(e.getKey(), e.getValue()));
      action.strict(strict).asKnownAt(asKnownAt).prefixFeatures(prefixFeatures).delay(delayValue).asOf(asOfValue)
          .strategy(strategy).output(output, format);
      if (label != null) {
        action.label(label);
      }
      common(action);
    };
  }

  private void common(TrainingSetAction action) {
    action.overwrite(overwrite).singleFile(singleFile).outputOptions(outputOptions);
    if (registerTable != null) {
      action.registerTable(registerTable);
    }
  }

  private OutputFormat parseFormat(String text) {
    return OutputFormat.parse(text).orElseThrow(() -> usage(
        "--output-format: unknown format '" + text + "'; use one of " + OutputFormat.allowedNames()));
  }

  private Duration duration(String text, String option) {
    try {
      return Durations.parseOrThrow(text, option);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  /** {@code GROUP=VALUE}, split at the first {@code =}, both sides trimmed. */
  private Map.Entry<String, String> pair(String text, String option, String syntax) {
    int eq = text.indexOf('=');
    if (eq <= 0 || eq == text.length() - 1) {
      throw usage(option + ": '" + text + "' is not " + syntax);
    }
    return Map.entry(text.substring(0, eq).trim(), text.substring(eq + 1).trim());
  }
}
