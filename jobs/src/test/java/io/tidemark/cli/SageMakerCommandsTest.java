package io.tidemark.cli;

import static io.tidemark.testing.CliRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.testing.CliRuns.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** import-sagemaker and export-sagemaker through the CLI: exit codes and output. No Spark. */
class SageMakerCommandsTest {
  @TempDir
  Path dir;

  static String fixture(String name) throws Exception {
    return Path.of(SageMakerCommandsTest.class.getResource("/sagemaker/" + name).toURI()).toString();
  }

  private Run cli(String... args) throws Exception {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--definitions";
    all[args.length + 1] = dir.resolve("feature-definitions").toString();
    return run(() -> TidemarkCli.run(all));
  }

  @Test
  void importWritesTheDefinitionAndRefusesToOverwriteIt() throws Exception {
    Run first = cli("import-sagemaker", fixture("products.json"));
    assertEquals(0, first.exit(), first.err());
    Path file = dir.resolve("feature-definitions/products.yaml");
    assertTrue(first.out().startsWith("import-sagemaker products -> " + file + ": 6 features, 6 report lines\n"
        + "  owner: SageMaker groups have none and there is no 'owner' tag; the definition has no owner (pass --owner "
        + "to set one)\n"), first.out());
    assertTrue(Files.readString(file).contains("\nname: products\n"));

    Run again = cli("import-sagemaker", fixture("products.json"), "--owner", "catalog-ml@example.com");
    assertEquals(1, again.exit());
    assertEquals("tidemark: error: import-sagemaker wrote nothing: " + file + " exists already with other content "
        + "(pass --force to replace it)\n", again.err());
    Run forced = cli("import-sagemaker", fixture("products.json"), "--owner", "catalog-ml@example.com", "--force");
    assertEquals(0, forced.exit(), forced.err());
    assertTrue(Files.readString(file).contains("\nowner: catalog-ml@example.com\n"));

    Run groups = cli("groups", "list", "--json");
    assertEquals(0, groups.exit(), groups.err());
    assertEquals("{\"name\":\"products\",\"record_identifier\":\"product_id\",\"event_time\":\"event_time\","
        + "\"features\":[\"product_id\",\"category\",\"price\",\"avg_rating\",\"stock_level\",\"event_time\"],"
        + "\"offline_format\":\"parquet\",\"online\":true,\"has_source\":false}\n", groups.out());
  }

  @Test
  void collectionsAreImportedAndUnknownOnesStopTheImportUnlessSkipped() throws Exception {
    Path maps = dir.resolve("maps.json");
    Files.writeString(maps, "{\"FeatureGroupName\": \"Maps\", \"RecordIdentifierFeatureName\": \"id\", "
        + "\"EventTimeFeatureName\": \"t\", \"FeatureDefinitions\": [{\"FeatureName\": \"id\", \"FeatureType\": "
        + "\"String\"}, {\"FeatureName\": \"t\", \"FeatureType\": \"Fractional\"}, {\"FeatureName\": \"m\", "
        + "\"FeatureType\": \"String\", \"CollectionType\": \"Map\"}]}");
    Run refused = cli("import-sagemaker", maps.toString());
    assertEquals(1, refused.exit());
    assertEquals("tidemark: error: import-sagemaker wrote nothing: Maps has 1 feature with no "
        + "Tidemark equivalent yet (m). Pass --skip-unsupported to write the "
        + "definitions without those features\n", refused.err());
    assertFalse(Files.exists(dir.resolve("feature-definitions/maps.yaml")));
    Run skipped = cli("import-sagemaker", maps.toString(), "--skip-unsupported");
    assertEquals(0, skipped.exit(), skipped.err());
    assertTrue(Files.exists(dir.resolve("feature-definitions/maps.yaml")));

    // List and Vector features come over as collection features
    Run imported = cli("import-sagemaker", fixture("customer-profiles.json"));
    assertEquals(0, imported.exit(), imported.err());
    assertTrue(Files.readString(dir.resolve("feature-definitions/customer_profiles.yaml")).contains("""
          - name: profile_embedding
            type: Fractional
            collection: vector
            dimension: 16
        """));

    Run export = cli("export-sagemaker", "customer_profiles");
    assertEquals(0, export.exit(), export.err());
    assertTrue(export.out().startsWith("{\n  \"FeatureGroupName\" : \"Customer-Profiles\",\n"), export.out());
    assertEquals("export-sagemaker customer_profiles: offline.format delta: TableFormat Iceberg (SageMaker has no "
        + "delta tables)\nexport-sagemaker customer_profiles: RoleArn: left out; CreateFeatureGroup needs it with an "
        + "OfflineStoreConfig (pass --role-arn ARN)\n", export.err());

    Path json = dir.resolve("customer-profiles.create.json");
    Run toFile = cli("export-sagemaker", "customer_profiles", "--output", json.toString(), "--role-arn",
        "arn:aws:iam::111122223333:role/FeatureStore");
    assertEquals(0, toFile.exit(), toFile.err());
    assertEquals("export-sagemaker customer_profiles -> " + json + " (CreateFeatureGroup request, 1 report lines)\n",
        toFile.out());
    // the request reads back to the same file: the round trip through the CLI
    Path before = dir.resolve("before.yaml");
    Files.copy(dir.resolve("feature-definitions/customer_profiles.yaml"), before);
    Run back = cli("import-sagemaker", json.toString(), "--force");
    assertEquals(0, back.exit(), back.err());
    assertEquals(Files.readString(before).lines().filter(l -> !l.startsWith("#")).toList(),
        Files.readString(dir.resolve("feature-definitions/customer_profiles.yaml")).lines()
            .filter(l -> !l.startsWith("#")).toList());
  }

  @Test
  void badInputAndBadCommandLines() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"FeatureGroupName\": \"Orders\", \"RecordIdentifierFeatureName\": \"id\", "
        + "\"EventTimeFeatureName\": \"ts\", \"FeatureDefinitions\": [{\"FeatureName\": \"id\", \"FeatureType\": "
        + "\"String\"}, {\"FeatureName\": \"ts\", \"FeatureType\": \"String\"}], \"OnlineStoreConfig\": "
        + "{\"EnableOnlineStore\": true, \"TtlDuration\": {\"Unit\": \"Fortnights\", \"Value\": 1}}}");
    Run invalid = cli("import-sagemaker", bad.toString());
    assertEquals(3, invalid.exit());
    assertEquals("tidemark: cannot import " + bad + " (1 problem):\n  OnlineStoreConfig.TtlDuration.Unit is "
        + "'Fortnights' (SageMaker's units are Seconds, Minutes, Hours, Days, Weeks)\n", invalid.err());

    Run missing = cli("import-sagemaker", dir.resolve("nope.json").toString());
    assertEquals(1, missing.exit());
    assertTrue(missing.err().startsWith("tidemark: error: cannot read " + dir.resolve("nope.json")), missing.err());

    Run twoNames = cli("import-sagemaker", fixture("products.json"), bad.toString(), "--name", "items");
    assertEquals(2, twoNames.exit());
    assertTrue(twoNames.err().startsWith("--name needs exactly one FILE, got 2\n"), twoNames.err());

    Run remote = run(() -> TidemarkCli.run("import-sagemaker", fixture("products.json"), "--definitions",
        "s3://bucket/feature-definitions"));
    assertEquals(2, remote.exit());
    assertTrue(remote.err().startsWith("import-sagemaker writes definition files: --definitions must be a local "
        + "folder, not s3://bucket/feature-definitions"), remote.err());

    Files.createDirectories(dir.resolve("feature-definitions"));
    Run unknownGroup = cli("export-sagemaker", "nothing");
    assertEquals(2, unknownGroup.exit());
    assertTrue(unknownGroup.err().startsWith("tidemark: error: no feature group 'nothing'"), unknownGroup.err());
  }
}
