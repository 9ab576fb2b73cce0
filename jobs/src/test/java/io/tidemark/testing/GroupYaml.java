package io.tidemark.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * A feature group definition for a test, built as YAML so it goes through the real parser: each test states only
 * the shape it needs, e.g. {@code GroupYaml.group("users", "user_id").feature("user_id", "String")
 * .feature("event_time", "Timestamp").csvSource().yaml()}.
 */
public final class GroupYaml {
  private final String name;
  private final String recordIdentifier;
  private String eventTime = "event_time";
  private final List<String> head = new ArrayList<>();
  private final List<String> features = new ArrayList<>();
  private final List<String> tail = new ArrayList<>();

  private GroupYaml(String name, String recordIdentifier) {
    this.name = name;
    this.recordIdentifier = recordIdentifier;
  }

  /** A group whose event time is the column {@code event_time} unless {@link #eventTime} says otherwise. */
  public static GroupYaml group(String name, String recordIdentifier) {
    return new GroupYaml(name, recordIdentifier);
  }

  public GroupYaml eventTime(String column) {
    this.eventTime = column;
    return this;
  }

  public GroupYaml describedBy(String description, String owner) {
    head.add("description: " + description);
    head.add("owner: " + owner);
    return this;
  }

  /** The group's point-in-time TTL, e.g. {@code 30d}. */
  public GroupYaml ttl(String ttl) {
    head.add("ttl: " + ttl);
    return this;
  }

  /** A feature, in definition order (the event time too). */
  public GroupYaml feature(String feature, String type) {
    features.add("  - {name: " + feature + ", type: " + type + "}");
    return this;
  }

  /** A feature with more settings in YAML flow style, e.g. {@code "collection: list, max_elements: 3"}. */
  public GroupYaml feature(String feature, String type, String settings) {
    features.add("  - {name: " + feature + ", type: " + type + ", " + settings + "}");
    return this;
  }

  /** Read from {@code ${raw_root}/<name>.csv}. */
  public GroupYaml csvSource() {
    tail.add("source: {path: \"${raw_root}/" + name + ".csv\", format: csv}");
    return this;
  }

  /** Read from {@code ${raw_root}/<name>.csv} through the SQL file {@code transform}. */
  public GroupYaml csvSource(String transform) {
    tail.add("source: {path: \"${raw_root}/" + name + ".csv\", format: csv, transform: " + transform + "}");
    return this;
  }

  /** Served online; {@code ttl} (e.g. {@code 30d}) or null for none. */
  public GroupYaml online(String ttl) {
    tail.add("online: {enabled: true" + (ttl == null ? "" : ", ttl: " + ttl) + "}");
    return this;
  }

  /** Any other top-level setting, in YAML flow style, e.g. {@code "offline: {format: parquet}"}. */
  public GroupYaml with(String setting) {
    tail.add(setting);
    return this;
  }

  public String yaml() {
    List<String> lines = new ArrayList<>();
    lines.add("name: " + name);
    lines.addAll(head);
    lines.add("record_identifier: " + recordIdentifier);
    lines.add("event_time: " + eventTime);
    lines.add("features:");
    lines.addAll(features);
    lines.addAll(tail);
    return String.join("\n", lines) + "\n";
  }
}
