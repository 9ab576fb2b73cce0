package io.tidemark.training;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.util.Hashing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One group of a training-set request, resolved against the definitions.
 *
 * @param features the group's features taken, in request order
 * @param joinKey the spine column holding the group's record identifier
 * @param ttl the TTL in force for this request (the definition's unless overridden); empty is unbounded
 * @param outputNames the features' column names in the output ({@code <group>__<feature>} with prefixes)
 */
record RequestedGroup(FeatureGroup group, List<String> features, String joinKey, Optional<Duration> ttl,
    List<String> outputNames) {

  String name() {
    return group.name();
  }

  /** One hash of the definitions of every group read, so a rebuild can tell that one changed. */
  static String definitionsHash(List<RequestedGroup> groups) {
    Map<String, String> hashes = new TreeMap<>();
    groups.forEach(g -> hashes.put(g.name(), g.group().contentHash()));
    return Hashing.sha256Hex(hashes.toString());
  }
}
