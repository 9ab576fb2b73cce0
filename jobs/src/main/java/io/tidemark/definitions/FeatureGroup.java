package io.tidemark.definitions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A feature group as defined in {@code feature-definitions/<name>.yaml}: the one definition model every job uses.
 *
 * @param recordIdentifier the feature whose value identifies a record (String or Integral)
 * @param eventTime the Timestamp feature that says when the record's values became true
 * @param eventTimeRange event times outside it are quarantined
 * @param ttl default time-to-live of a value in point-in-time joins (empty: unbounded)
 * @param windows present when the features are window aggregations computed from the source's events
 * @param sagemaker how the group is named in SageMaker Feature Store, when it came from there (export-sagemaker)
 * @param file the definition file, for error messages
 * @param contentHash SHA-256 of the definition file's bytes, recorded in manifests
 */
public record FeatureGroup(
    String name,
    String description,
    String owner,
    Map<String, String> tags,
    String recordIdentifier,
    String eventTime,
    List<EventTimeFormat> eventTimeFormats,
    EventTimeRange eventTimeRange,
    List<FeatureDefinition> features,
    Optional<SourceDefinition> source,
    OfflineSettings offline,
    OnlineSettings online,
    Optional<Duration> ttl,
    Optional<WindowDefinition> windows,
    Optional<SageMakerOrigin> sagemaker,
    Path file,
    String contentHash) {

  public FeatureGroup {
    tags = Map.copyOf(tags);
    eventTimeFormats = List.copyOf(eventTimeFormats);
    features = List.copyOf(features);
  }

  /** A group without window aggregations. */
  public FeatureGroup(String name, String description, String owner, Map<String, String> tags,
      String recordIdentifier, String eventTime, List<EventTimeFormat> eventTimeFormats,
      List<FeatureDefinition> features, Optional<SourceDefinition> source, OfflineSettings offline,
      OnlineSettings online, Optional<Duration> ttl, Path file, String contentHash) {
    this(name, description, owner, tags, recordIdentifier, eventTime, eventTimeFormats, EventTimeRange.STORABLE,
        features, source, offline, online, ttl, Optional.empty(), Optional.empty(), file, contentHash);
  }

  public FeatureGroup withEventTimeRange(EventTimeRange range) {
    return new FeatureGroup(name, description, owner, tags, recordIdentifier, eventTime, eventTimeFormats, range,
        features, source, offline, online, ttl, windows, sagemaker, file, contentHash);
  }

  public FeatureGroup withEventTimeFormats(List<EventTimeFormat> formats) {
    return new FeatureGroup(name, description, owner, tags, recordIdentifier, eventTime, formats, eventTimeRange,
        features, source, offline, online, ttl, windows, sagemaker, file, contentHash);
  }

  public FeatureGroup withWindows(WindowDefinition newWindows) {
    return new FeatureGroup(name, description, owner, tags, recordIdentifier, eventTime, eventTimeFormats,
        eventTimeRange, features, source, offline, online, ttl, Optional.of(newWindows), sagemaker, file,
        contentHash);
  }

  public FeatureGroup withSageMaker(Optional<SageMakerOrigin> origin) {
    return new FeatureGroup(name, description, owner, tags, recordIdentifier, eventTime, eventTimeFormats,
        eventTimeRange, features, source, offline, online, ttl, windows, origin, file, contentHash);
  }

  public Optional<FeatureDefinition> feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
  }

  public FeatureDefinition recordIdentifierFeature() {
    return feature(recordIdentifier).orElseThrow();
  }

  public FeatureDefinition eventTimeFeature() {
    return feature(eventTime).orElseThrow();
  }

  /** Features other than the record identifier and the event time. */
  public List<FeatureDefinition> valueFeatures() {
    return features.stream()
        .filter(f -> !f.name().equals(recordIdentifier) && !f.name().equals(eventTime))
        .toList();
  }

  public List<String> featureNames() {
    return features.stream().map(FeatureDefinition::name).toList();
  }
}
