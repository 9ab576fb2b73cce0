package io.tidemark.training;

import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureRegistry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The features a training set takes from one group: {@code group:feature,feature} or {@code group:*} (every
 * feature but the record identifier and the event time, in definition order).
 */
public record FeatureSelection(String group, List<String> features) {
  public static final String SYNTAX = "GROUP:FEATURE[,FEATURE...] or GROUP:*";

  public FeatureSelection {
    features = List.copyOf(features);
  }

  /** Parses {@code users:age,membership_tier} or {@code users:*}; the names are checked by {@link #resolve}. */
  public static FeatureSelection parse(String spec) {
    int colon = spec.indexOf(':');
    if (colon <= 0 || colon == spec.length() - 1) {
      throw new io.tidemark.BadRequestException("features '" + spec + "': expected " + SYNTAX);
    }
    List<String> names = new ArrayList<>();
    for (String n : spec.substring(colon + 1).split(",")) {
      if (n.isBlank()) {
        throw new io.tidemark.BadRequestException("features '" + spec + "': empty feature name; expected " + SYNTAX);
      }
      names.add(n.trim());
    }
    return new FeatureSelection(spec.substring(0, colon).trim(), names);
  }

  /** The selection with {@code *} expanded and every name checked against the group's definition. */
  public FeatureSelection resolve(FeatureRegistry registry) {
    FeatureGroup g = registry.group(group);
    if (features.equals(List.of("*"))) {
      return new FeatureSelection(group, g.valueFeatures().stream().map(FeatureDefinition::name).toList());
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String f : features) {
      if (f.equals("*")) {
        throw new io.tidemark.BadRequestException("features of group '" + group + "': '*' stands alone (" + SYNTAX + ")");
      }
      if (g.feature(f).isEmpty()) {
        throw new io.tidemark.BadRequestException("group '" + group + "' has no feature '" + f + "' (" + g.file()
            + "); its features are " + String.join(", ", g.featureNames()));
      }
      if (!seen.add(f)) {
        throw new io.tidemark.BadRequestException("feature '" + f + "' of group '" + group + "' is listed twice");
      }
    }
    return this;
  }

  @Override
  public String toString() {
    return group + ":" + String.join(",", features);
  }
}
