package io.tidemark.training;

import io.tidemark.BadRequestException;
import io.tidemark.asof.AsOfJoin;
import io.tidemark.asof.AsOfOptions;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.SourceDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a training set was asked for: everything {@link TrainingSetAction}'s builder collected, frozen when it
 * executes. A rebuild's request is the manifest's ({@link #rebuilding}), with its table versions pinned.
 *
 * @param spineFile the spine's file or folder, or empty when it is {@code spineTable}
 * @param selections the {@code --features}, as written ({@code *} not yet expanded)
 * @param joinKeys spine column by group, where it is not named like the group's record identifier
 * @param ttls TTL overrides by group (empty: unbounded)
 * @param outputOptions Spark writer options of a csv / sagemaker-csv output, over Tidemark's
 * @param pinnedVersions the Delta version to read by group (a rebuild's); other groups read their latest
 */
record TrainingSetRequest(
    Optional<SourceDefinition> spineFile,
    Optional<String> spineTable,
    String spineTimeColumn,
    List<FeatureSelection> selections,
    Map<String, String> joinKeys,
    Map<String, Optional<Duration>> ttls,
    AsOfOptions options,
    boolean prefixFeatures,
    Optional<String> label,
    AsOfJoin.Strategy strategy,
    String output,
    OutputFormat format,
    Map<String, String> outputOptions,
    Optional<String> registerTable,
    boolean overwrite,
    boolean singleFile,
    Map<String, Long> pinnedVersions,
    Optional<TrainingSetManifest> rebuilding) {

  TrainingSetRequest {
    selections = List.copyOf(selections);
    // HashMap copies: the error messages list groups in the order the builder's maps held them
    joinKeys = Collections.unmodifiableMap(new HashMap<>(joinKeys));
    ttls = Collections.unmodifiableMap(new HashMap<>(ttls));
    outputOptions = Map.copyOf(outputOptions);
    pinnedVersions = Map.copyOf(pinnedVersions);
  }

  /** How errors name the spine. */
  String spineName() {
    return spineTable.map(t -> "spine table " + t).orElseGet(() -> "spine " + spineFile.get().path());
  }

  /** Refuses a request that misses a part or names a group it does not read; before anything is read. */
  void validate() {
    if (spineFile.isEmpty() && spineTable.isEmpty()) {
      throw new BadRequestException("no spine: pass --spine PATH (csv, json, parquet or delta) or --spine-table "
          + "DB.TABLE");
    }
    if (spineTimeColumn == null) {
      throw new BadRequestException("no spine time column: pass --spine-time-column COL (the time each label "
          + "row is as of)");
    }
    if (selections.isEmpty()) {
      throw new BadRequestException("no features: pass --features " + FeatureSelection.SYNTAX + " (repeatable)");
    }
    if (output == null) {
      throw new BadRequestException("no output: pass --output PATH");
    }
    if (format == OutputFormat.SAGEMAKER_CSV && label.isEmpty()) {
      throw new BadRequestException("sagemaker-csv puts the label column first: pass --label COL");
    }
    Set<String> known = new HashSet<>();
    selections.forEach(s -> known.add(s.group()));
    refuseUnknownGroups("--join-key", joinKeys.keySet(), known);
    refuseUnknownGroups("--ttl", ttls.keySet(), known);
  }

  private static void refuseUnknownGroups(String option, Set<String> groups, Set<String> known) {
    for (String g : groups) {
      if (!known.contains(g)) {
        throw new BadRequestException(option + " " + g + "=...: group '" + g + "' is not among the features ("
            + String.join(", ", known) + ")");
      }
    }
  }

  /** The groups read, with {@code *} expanded, join keys, TTLs and output names; a name used twice is refused. */
  List<RequestedGroup> resolve(FeatureRegistry registry) {
    List<RequestedGroup> groups = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (FeatureSelection raw : selections) {
      FeatureSelection s = raw.resolve(registry);
      if (!seen.add(s.group())) {
        throw new BadRequestException("group '" + s.group() + "' is listed in more than one --features; "
            + "list all its features once: " + s.group() + ":a,b,c");
      }
      FeatureGroup g = registry.group(s.group());
      List<String> names = s.features().stream().map(f -> prefixFeatures ? g.name() + "__" + f : f).toList();
      groups.add(new RequestedGroup(g, s.features(), joinKeys.getOrDefault(g.name(), g.recordIdentifier()),
          ttls.containsKey(g.name()) ? ttls.get(g.name()) : g.ttl(), names));
    }
    // rule 7: a feature column never silently shadows another
    Map<String, String> owner = new HashMap<>();
    for (RequestedGroup r : groups) {
      for (String n : r.outputNames()) {
        String other = owner.put(n, r.name());
        if (other != null) {
          throw new BadRequestException("feature column '" + n + "' comes from groups '" + other + "' and '"
              + r.name() + "'; pass --prefix-features to name feature columns <group>__<feature>, or "
              + "request '" + n + "' from one group only");
        }
      }
    }
    return groups;
  }
}
