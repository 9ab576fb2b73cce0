package io.tidemark.definitions;

/** One typed feature (column) of a feature group. */
public record FeatureDefinition(String name, FeatureType type, String description, boolean nullable) {}
