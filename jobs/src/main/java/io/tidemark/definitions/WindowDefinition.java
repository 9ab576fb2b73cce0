package io.tidemark.definitions;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Point-in-time window aggregations that compute a group's features from raw events. The value at time t
 * aggregates the events of the key with event time in {@code (t - window - delay, t - delay]}.
 *
 * @param keyColumn the events' column holding the group's record identifier
 * @param timeColumn the events' event-time column
 * @param emit when result rows are written
 */
public record WindowDefinition(String keyColumn, String timeColumn, Duration delay, Emit emit,
    List<Aggregation> aggregations) {

  public WindowDefinition {
    aggregations = List.copyOf(aggregations);
  }

  /**
   * CHANGES: a row at every instant any window's value changes (an event entering or leaving), so an as-of read
   * at any time is exact. DAILY: a row at each UTC midnight after a day in which the key's windows changed.
   */
  public enum Emit { CHANGES, DAILY }

  public enum Function {
    COUNT(FeatureType.INTEGRAL), SUM(FeatureType.FRACTIONAL), AVG(FeatureType.FRACTIONAL),
    MIN(FeatureType.FRACTIONAL), MAX(FeatureType.FRACTIONAL), COUNT_DISTINCT(FeatureType.INTEGRAL);

    private final FeatureType resultType;

    Function(FeatureType resultType) {
      this.resultType = resultType;
    }

    public FeatureType resultType() {
      return resultType;
    }

    public boolean numericInput() {
      return this == SUM || this == AVG || this == MIN || this == MAX;
    }
  }

  /** One feature = one function over one column in one window ({@code column} empty: count events). */
  public record Aggregation(String feature, Function function, Optional<String> column, Duration window) {}

  public Duration longestWindow() {
    return aggregations.stream().map(Aggregation::window).max(Duration::compareTo).orElse(Duration.ZERO);
  }

  /** The events' columns the aggregations read (without key and time), in first-use order. */
  public List<String> valueColumns() {
    return aggregations.stream().flatMap(a -> a.column().stream()).distinct().toList();
  }
}
