package io.tidemark.sagemaker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.definitions.FeatureGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A SageMaker Feature Store definition (a {@code DescribeFeatureGroup} response, or a {@code CreateFeatureGroup}
 * request: they share their field names) as a Tidemark definition file. Every SageMaker setting either maps onto a
 * Tidemark setting or is reported; a feature Tidemark cannot hold (an unknown {@code CollectionType}) is left out
 * and listed. List, Set and Vector collections become Tidemark's list, set and vector features.
 */
public final class SageMakerImport {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static final List<String> DEFINITION_FIELDS = List.of("FeatureGroupName", "RecordIdentifierFeatureName",
      "EventTimeFeatureName", "FeatureDefinitions", "OnlineStoreConfig", "OfflineStoreConfig", "ThroughputConfig",
      "RoleArn", "Description", "Tags");
  /** DescribeFeatureGroup's fields about the resource's state rather than its definition: nothing to carry. */
  static final Set<String> STATE_FIELDS = Set.of("FeatureGroupArn", "CreationTime", "LastModifiedTime",
      "FeatureGroupStatus", "OfflineStoreStatus", "LastUpdateStatus", "FailureReason", "NextToken",
      "OnlineStoreTotalSizeBytes");
  /** SageMaker's TtlDuration units. */
  static final Map<String, ChronoUnit> TTL_UNITS = orderedUnits();

  private SageMakerImport() {}

  /**
   * @param name the Tidemark group name to use instead of the one derived from the SageMaker name
   * @param owner the owner to use instead of the {@code owner} tag
   */
  public record Options(Optional<String> name, Optional<String> owner) {
    public static Options defaults() {
      return new Options(Optional.empty(), Optional.empty());
    }
  }

  /**
   * One converted group.
   *
   * @param group the definition exactly as its file parses (file: where it goes in the definitions folder)
   * @param yaml the file's text
   * @param report every SageMaker setting that was renamed, changed or not carried, one line each
   * @param leftOut the features left out because Tidemark has no equivalent yet (also in the report)
   */
  public record Result(String sageMakerName, FeatureGroup group, String yaml, List<String> report,
      List<String> leftOut) {
    public Result {
      report = List.copyOf(report);
      leftOut = List.copyOf(leftOut);
    }

    /** True when the definition file exists with exactly this text: writing it would change nothing. */
    public boolean unchanged() {
      try {
        return Files.exists(group.file()) && Files.readString(group.file(), StandardCharsets.UTF_8).equals(yaml);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + group.file(), e);
      }
    }
  }

  /**
   * Converts one definition.
   *
   * @param json the DescribeFeatureGroup response or CreateFeatureGroup request
   * @param source where it came from, for messages
   * @param definitionsDir where the file will go (names the result's file)
   * @throws SageMakerException listing every problem when the definition cannot become a Tidemark one
   */
  public static Result fromJson(String json, String source, Path definitionsDir, Options options) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new SageMakerException("cannot import " + source, List.of("not JSON: " + e.getOriginalMessage()
          + " at line " + e.getLocation().getLineNr() + " (pass the output of aws sagemaker describe-feature-group)"));
    }
    if (root == null || !root.isObject()) {
      throw new SageMakerException("cannot import " + source, List.of("not a JSON object (pass the output of aws "
          + "sagemaker describe-feature-group)"));
    }
    return new SageMakerConversion(source, options).convert(root, definitionsDir);
  }

  /**
   * Writes the result's file, refusing to replace an existing one unless {@code force}. The file appears whole
   * (written beside it, then moved), so a reader never sees half of it.
   */
  public static Path write(Result result, boolean force) {
    Path target = result.group().file();
    if (Files.exists(target) && !force) {
      throw new IllegalStateException(target + " exists already; pass --force to replace it with the definition "
          + "imported from SageMaker group '" + result.sageMakerName() + "'");
    }
    try {
      Files.createDirectories(target.getParent());
      Path temp = target.resolveSibling("." + target.getFileName() + ".importing");
      Files.writeString(temp, result.yaml(), StandardCharsets.UTF_8);
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
    return target;
  }

  /** Refuses results that would write the same file (two SageMaker names that map to one Tidemark name). */
  public static void checkDistinct(List<Result> results) {
    Map<String, String> byName = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Result r : results) {
      String previous = byName.putIfAbsent(r.group().name(), r.sageMakerName());
      if (previous != null) {
        problems.add("SageMaker groups '" + previous + "' and '" + r.sageMakerName() + "' both map to Tidemark group '"
            + r.group().name() + "' (import one of them with --name NAME)");
      }
    }
    if (!problems.isEmpty()) {
      throw new SageMakerException("cannot import", problems);
    }
  }

  /** The Tidemark duration of a SageMaker TtlDuration, or empty when the unit is not SageMaker's. */
  static Optional<Duration> ttl(String unit, long value) {
    return Optional.ofNullable(TTL_UNITS.get(unit)).map(u -> u.getDuration().multipliedBy(value));
  }

  private static Map<String, ChronoUnit> orderedUnits() {
    Map<String, ChronoUnit> m = new LinkedHashMap<>();
    m.put("Seconds", ChronoUnit.SECONDS);
    m.put("Minutes", ChronoUnit.MINUTES);
    m.put("Hours", ChronoUnit.HOURS);
    m.put("Days", ChronoUnit.DAYS);
    m.put("Weeks", ChronoUnit.WEEKS);
    return Collections.unmodifiableMap(m);
  }
}
