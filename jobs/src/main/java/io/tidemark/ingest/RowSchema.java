package io.tidemark.ingest;

import io.tidemark.definitions.EventTimeFormat;
import io.tidemark.definitions.EventTimeRange;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.ValidationRule;
import io.tidemark.definitions.WindowDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@link RowValidator} checks: typed columns with their rules, which of them are the record identifier and the
 * event time, and the event time's formats and range. A group's rows and a window group's raw events each have one.
 *
 * @param group the group's name, for messages
 */
record RowSchema(String group, String recordIdentifier, String eventTime, List<EventTimeFormat> eventTimeFormats,
    EventTimeRange eventTimeRange, List<FeatureDefinition> columns) {

  RowSchema {
    eventTimeFormats = List.copyOf(eventTimeFormats);
    columns = List.copyOf(columns);
  }

  /** A group's rows: its features. */
  static RowSchema of(FeatureGroup group) {
    return new RowSchema(group.name(), group.recordIdentifier(), group.eventTime(), group.eventTimeFormats(),
        group.eventTimeRange(), group.features());
  }

  /**
   * A window group's raw events: the key typed as the group's record identifier, the time as a Timestamp, the columns
   * that numeric aggregations read as Fractional and the others (count_distinct) as String.
   */
  static RowSchema windowEvents(FeatureGroup group) {
    WindowDefinition w = group.windows().orElseThrow();
    List<FeatureDefinition> columns = new ArrayList<>();
    columns.add(new FeatureDefinition(w.keyColumn(), group.recordIdentifierFeature().type(), "", false));
    columns.add(new FeatureDefinition(w.timeColumn(), FeatureType.TIMESTAMP, "", false));
    for (String column : w.valueColumns()) {
      boolean numeric = w.aggregations().stream()
          .anyMatch(a -> a.column().equals(Optional.of(column)) && a.function().numericInput());
      columns.add(new FeatureDefinition(column, numeric ? FeatureType.FRACTIONAL : FeatureType.STRING, "", true));
    }
    return new RowSchema(group.name(), w.keyColumn(), w.timeColumn(), group.eventTimeFormats(),
        group.eventTimeRange(), columns);
  }

  boolean isKey(FeatureDefinition column) {
    return column.name().equals(recordIdentifier) || column.name().equals(eventTime);
  }

  /**
   * The constraints on one column, in the order its reasons are listed: the type, presence, a blank record
   * identifier, then the definition's rules ({@code withRules} false: tombstones, whose values are not kept).
   */
  List<Constraint> constraints(FeatureDefinition column, boolean withRules) {
    String name = column.name();
    List<Constraint> out = new ArrayList<>(List.of(new Constraint.Parses(name)));
    if (!column.nullable()) {
      out.add(new Constraint.Required(name, name.equals(recordIdentifier) ? "record identifier"
          : name.equals(eventTime) ? "event time" : "non-nullable feature"));
    }
    if (name.equals(recordIdentifier) && column.type() == FeatureType.STRING) {
      out.add(new Constraint.NotBlank(name));
    }
    if (withRules) {
      column.rules().forEach(r -> out.add(Constraint.Rule.of(name, r)));
    }
    return out;
  }

  /** The message of each {@code warn} rule, as rows carry it in {@link RowValidator#WARNINGS}. */
  List<String> warningMessages() {
    return columns.stream().flatMap(c -> constraints(c, true).stream())
        .filter(k -> k instanceof Constraint.Rule r && r.level() == ValidationRule.Level.WARN)
        .map(k -> ((Constraint.Rule) k).warning()).distinct().toList();
  }
}
