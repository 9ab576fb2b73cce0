package io.tidemark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.online.OnlineRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code tidemark get} prints for collection features: JSON arrays. */
class GetCommandJsonTest {
  @Test
  void collectionsPrintAsJsonArrays() {
    Map<String, Object> features = new LinkedHashMap<>();
    features.put("id", "a");
    features.put("tags", List.of("x", "y"));
    features.put("sizes", new LinkedHashSet<>(List.of(4L, 30L)));
    features.put("vec", new double[] {0.5, -2.0});
    features.put("empty", new LinkedHashSet<>());
    Instant t = Instant.parse("2024-05-01T00:00:00Z");
    String json = Json.write(GetCommand.json("items", "a", new OnlineRecord("items", "a", t, t, Optional.empty(),
        features)));
    assertEquals("{\"group\":\"items\",\"id\":\"a\",\"found\":true,\"features\":{\"id\":\"a\",\"tags\":[\"x\",\"y\"],"
        + "\"sizes\":[4,30],\"vec\":[0.5,-2.0],\"empty\":[]},\"write_time\":\"2024-05-01T00:00:00Z\","
        + "\"expires_at\":null}", json);
  }
}
