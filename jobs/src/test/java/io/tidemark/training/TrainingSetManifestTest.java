package io.tidemark.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifest's JSON: files written before the manifest was read and written with Jackson annotations (the
 * fixtures in resources/training) read back to the same values and write back byte for byte.
 */
class TrainingSetManifestTest {
  private static String fixture(String name) throws IOException {
    try (InputStream in = TrainingSetManifestTest.class.getResourceAsStream("/training/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"manifest-sagemaker-csv.json", "manifest-spine-table.json",
      "manifest-minimal-read-back.json"})
  void earlierManifestsReadAndWriteBackByteForByte(String name) throws IOException {
    String json = fixture(name);
    assertEquals(json, TrainingSetManifest.fromJson(json, name).toJson());
  }

  @Test
  void everyFieldReadsBack() throws IOException {
    TrainingSetManifest m = TrainingSetManifest.fromJson(fixture("manifest-sagemaker-csv.json"), "fixture");
    assertEquals(new TrainingSetManifest.Spine(Optional.of("/data/raw/spine.csv"), Optional.of("csv"),
        Optional.empty(), "ts", "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12"), m.spine());
    assertEquals(List.of(new TrainingSetManifest.Group("users", List.of("tier", "score"), "customer",
            Optional.of("30d"), "tm.users", "delta", Optional.of(3L), "hash-users", 4, 1, 1),
        new TrainingSetManifest.Group("items", List.of("price", "category"), "item_id", Optional.empty(),
            "tm.items", "parquet", Optional.empty(), "hash-items", 4, 0, 2)), m.groups());
    assertEquals(new TrainingSetManifest.Options(true, "2d", false, Optional.of("2024-05-01T00:00:00Z"), false,
        Optional.of("returned"), "ZIP_PARTITIONS"), m.options());
    assertEquals(Optional.of("tm.train"), m.output().table());
    assertEquals(List.of("bronze", "silver"), m.output().encodings().get("tier"));
    assertEquals(List.of("tier", "category"), List.copyOf(m.output().encodings().keySet()));
    assertEquals(List.of(6L, 6L, 1), List.of(m.spineRows(), m.outputRows(), m.manifestVersion()));
    assertEquals("2026-05-03T10:15:02.123Z", m.createdAt());
  }

  /** A field left out reads as its default: the options, counts per group, files, columns' types. */
  @Test
  void optionalFieldsHaveDefaults() {
    String minimal = "{\"manifest_version\": 1, \"spine\": {\"time_column\": \"t\", \"content_hash\": \"h\"}, "
        + "\"groups\": [{\"features\": [\"a\"], \"group\": \"g\", \"join_key\": \"k\", \"table\": \"t\", "
        + "\"storage\": \"delta\", \"definition_hash\": \"x\", \"extra\": 1}], \"options\": {}, \"output\": "
        + "{\"path\": \"p\", \"format\": \"csv\", \"columns\": [{\"name\": \"a\"}]}, \"counts\": {}, "
        + "\"definitions_hash\": \"d\"}";
    TrainingSetManifest m = TrainingSetManifest.fromJson(minimal, "W");
    assertEquals(new TrainingSetManifest.Options(false, "0s", false, Optional.empty(), false, Optional.empty(),
        "ZIP_PARTITIONS"), m.options());
    assertEquals(new TrainingSetManifest.Output("p", "csv", List.of(), Optional.empty(),
        List.of(new TrainingSetManifest.Column("a", "")), Map.of()), m.output());
    assertEquals("", m.createdAt());
  }

  @Test
  void aBrokenManifestSaysWhatIsWrong() {
    String spine = "\"spine\": {\"time_column\": \"t\", \"content_hash\": \"h\"}";
    String group = "{\"features\": [], \"group\": \"g\", \"join_key\": \"k\", \"table\": \"t\", \"storage\": "
        + "\"delta\", \"definition_hash\": \"x\"}";
    Map<String, String> said = new java.util.LinkedHashMap<>();
    said.put("{\"manifest_version\": 2}", "manifest W has manifest_version 2; this Tidemark reads version 1");
    said.put("{\"manifest_version\": 1}", "manifest W lacks 'spine'");
    said.put("{\"manifest_version\": 1, \"spine\": {\"time_column\": \"t\"}}", "manifest W lacks 'content_hash'");
    said.put("{\"manifest_version\": 1, " + spine + ", \"groups\": [{\"group\": \"g\"}]}",
        "manifest W lacks 'features'");
    said.put("{\"manifest_version\": 1, " + spine + ", \"groups\": [" + group + "], \"options\": {}, \"output\": "
        + "{\"path\": \"p\"}}", "manifest W lacks 'format'");
    said.put("{\"manifest_version\": 1, " + spine + ", \"groups\": [], \"options\": {}, \"output\": {\"path\": "
        + "\"p\", \"format\": \"csv\"}}", "manifest W lacks 'counts'");
    said.put("{\"manifest_version\": 1, " + spine + ", \"groups\": [], \"options\": {}, \"output\": {\"path\": "
        + "\"p\", \"format\": \"csv\"}, \"counts\": {}}", "manifest W lacks 'definitions_hash'");
    said.put("{", "manifest W is not valid JSON: Unexpected end-of-input: expected close marker for Object (start "
        + "marker at [Source: (String)\"{\"; line: 1, column: 1])\n at [Source: (String)\"{\"; line: 1, column: 2]");
    said.forEach((json, message) -> assertEquals(message, assertThrows(IllegalArgumentException.class,
        () -> TrainingSetManifest.fromJson(json, "W")).getMessage(), json));
  }
}
