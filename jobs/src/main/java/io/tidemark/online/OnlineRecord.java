package io.tidemark.online;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A record as the online store serves it.
 *
 * @param id the record identifier (String, or Long for an Integral identifier)
 * @param eventTime when these values became true
 * @param writeTime when the offline batch that wrote them started
 * @param expiresAt when the record stops being served (event time + the group's online TTL)
 * @param features the requested features, typed (String, Long, Double, Boolean, Instant; a list as a List, a set as
 *     a Set in ascending order, a vector as double[]; null for no value), in
 *     definition order; the identifier and the event time feature are included under their names
 */
public record OnlineRecord(String group, Object id, Instant eventTime, Instant writeTime,
    Optional<Instant> expiresAt, Map<String, Object> features) {
  public OnlineRecord {
    features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
  }

  /** True when the record has expired at {@code now}: DynamoDB's TTL sweeper may not have deleted it yet. */
  public boolean expiredAt(Instant now) {
    return expiresAt.map(x -> !x.isAfter(now)).orElse(false);
  }

  public Object get(String feature) {
    return features.get(feature);
  }
}
