package io.tidemark.definitions;

import java.util.List;

/** One typed feature (column) of a feature group, with its data-quality rules. */
public record FeatureDefinition(String name, FeatureType type, String description, boolean nullable,
    List<ValidationRule> rules) {

  public FeatureDefinition {
    rules = List.copyOf(rules);
  }

  public FeatureDefinition(String name, FeatureType type, String description, boolean nullable) {
    this(name, type, description, nullable, List.of());
  }

  public FeatureDefinition withNullable(boolean isNullable) {
    return new FeatureDefinition(name, type, description, isNullable, rules);
  }
}
