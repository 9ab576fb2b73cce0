package io.tidemark.monitoring;

import io.tidemark.definitions.FeatureDefinition;

/** How a feature is profiled and compared. */
public enum FeatureKind {
  /** Integral and Fractional: quantiles, histograms, Kolmogorov-Smirnov. */
  NUMBER,
  /** Timestamp: like a number, over epoch seconds; charts show dates. */
  TIMESTAMP,
  /** String and Boolean: top values, chi-square. */
  CATEGORY,
  /** List, set, vector: counts only; not compared for drift. */
  COLLECTION;

  public static FeatureKind of(FeatureDefinition f) {
    if (f.isCollection()) {
      return COLLECTION;
    }
    return switch (f.type()) {
      case INTEGRAL, FRACTIONAL -> NUMBER;
      case TIMESTAMP -> TIMESTAMP;
      case STRING, BOOLEAN -> CATEGORY;
    };
  }

  public boolean numeric() {
    return this == NUMBER || this == TIMESTAMP;
  }
}
