package io.tidemark.ingest;

import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.OfflineSettings;
import io.tidemark.definitions.OnlineSettings;
import io.tidemark.definitions.StorageFormat;
import io.tidemark.definitions.WindowDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The raw events of a window group, described as a group of their own so that {@link RowValidator} checks and
 * types them like any rows: the key as the group's record id type, the time as a Timestamp, summed columns as
 * Fractional and count_distinct columns as String.
 */
final class WindowEvents {
  private WindowEvents() {}

  static FeatureGroup eventGroup(FeatureGroup group) {
    WindowDefinition w = group.windows().orElseThrow();
    List<FeatureDefinition> features = new ArrayList<>();
    features.add(new FeatureDefinition(w.keyColumn(), group.recordIdentifierFeature().type(), "", false));
    features.add(new FeatureDefinition(w.timeColumn(), FeatureType.TIMESTAMP, "", false));
    for (String column : w.valueColumns()) {
      boolean numeric = w.aggregations().stream()
          .anyMatch(a -> a.column().equals(Optional.of(column)) && a.function().numericInput());
      features.add(new FeatureDefinition(column, numeric ? FeatureType.FRACTIONAL : FeatureType.STRING, "", true));
    }
    return new FeatureGroup(group.name(), group.description(), group.owner(), Map.of(), w.keyColumn(),
        w.timeColumn(), group.eventTimeFormats(), features, group.source(),
        new OfflineSettings(StorageFormat.DELTA, true), OnlineSettings.disabled(), Optional.empty(), group.file(),
        group.contentHash()).withEventTimeRange(group.eventTimeRange());
  }
}
