package io.tidemark.online.dynamo;

import io.tidemark.definitions.FeatureCollection;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.ReservedNames;
import java.io.Serializable;
import java.util.List;

/**
 * The shape of a group's online items, small enough to ship to executors.
 *
 * <p>An item holds: the record identifier under its feature name (the partition key, S or N); each other
 * feature under its name (String and Timestamp as S, Integral and Fractional as N, Boolean as BOOL, a null value
 * as NULL; a list as L of S or N, a set as SS or NS, an empty set as an empty L (DynamoDB stores no empty
 * sets), a vector as B: its doubles, 8 bytes each, big-endian); {@code event_time} and {@code write_time} as S (UTC, {@code 2024-05-01T12:00:00.000000Z}: fixed
 * width, so string order is time order); and, when the group has an online TTL, {@code expires_at}: N, epoch
 * seconds of event time + TTL, the table's TTL attribute.
 *
 * @param ttlSeconds the group's online TTL in seconds; 0 when it has none
 */
public record ItemSchema(String group, String key, FeatureType keyType, String eventTimeFeature,
    List<Attribute> values, long ttlSeconds) implements Serializable {
  public static final String EVENT_TIME = ReservedNames.EVENT_TIME;
  public static final String WRITE_TIME = ReservedNames.WRITE_TIME;
  public static final String EXPIRES_AT = ReservedNames.EXPIRES_AT;

  /**
   * One value feature: its name is also its attribute name.
   *
   * @param collection the feature's list, set or vector; null for a single value (Optional is not Serializable)
   */
  public record Attribute(String name, FeatureType type, FeatureCollection collection) implements Serializable {
    public Attribute(String name, FeatureType type) {
      this(name, type, null);
    }
  }

  public ItemSchema {
    values = List.copyOf(values);
  }

  public static ItemSchema of(FeatureGroup group) {
    if (!group.online().enabled()) {
      throw new IllegalArgumentException("group '" + group.name() + "' is not online-enabled; set online: {enabled: "
          + "true} in " + group.file() + " to serve it from DynamoDB");
    }
    for (String name : group.featureNames()) {
      if (ReservedNames.ONLINE_ATTRIBUTES.contains(name) && !name.equals(group.eventTime())) {
        throw new IllegalArgumentException("feature " + group.name() + "." + name + " in " + group.file()
            + " has the name of an online item attribute Tidemark sets itself (" + String.join(", ", ReservedNames.ONLINE_ATTRIBUTES.stream()
                .sorted().toList()) + "); rename the feature");
      }
    }
    List<Attribute> values = group.valueFeatures().stream()
        .map((FeatureDefinition f) -> new Attribute(f.name(), f.type(), f.collection().orElse(null))).toList();
    return new ItemSchema(group.name(), group.recordIdentifier(), group.recordIdentifierFeature().type(),
        group.eventTime(), values, group.online().ttl().map(d -> d.getSeconds()).orElse(0L));
  }

  public boolean hasTtl() {
    return ttlSeconds > 0;
  }

  /** The value feature names, in definition order. */
  public List<String> valueNames() {
    return values.stream().map(Attribute::name).toList();
  }
}
