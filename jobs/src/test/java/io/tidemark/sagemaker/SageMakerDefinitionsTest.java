package io.tidemark.sagemaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.definitions.EventTimeFormat;
import io.tidemark.definitions.FeatureCollection;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.OfflineSettings;
import io.tidemark.definitions.OnlineSettings;
import io.tidemark.definitions.SageMakerOrigin;
import io.tidemark.definitions.StorageFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SageMakerDefinitionsTest {
  @TempDir
  Path dir;

  static String fixture(String name) {
    try (var in = SageMakerDefinitionsTest.class.getResourceAsStream("/sagemaker/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  SageMakerImport.Result importFixture(String name) {
    return SageMakerImport.fromJson(fixture(name), name, dir, SageMakerImport.Options.defaults());
  }

  /** The group without what depends on where its file is (path, bytes). */
  static FeatureGroup definition(FeatureGroup g) {
    return new FeatureGroup(g.name(), g.description(), g.owner(), g.tags(), g.recordIdentifier(), g.eventTime(),
        g.eventTimeFormats(), g.eventTimeRange(), g.features(), g.source(), g.offline(), g.online(), g.ttl(),
        g.windows(), g.sagemaker(), null, "");
  }

  static FeatureDefinition feature(String name, FeatureType type) {
    return new FeatureDefinition(name, type, "", true);
  }

  @Test
  void productsWithAnIsoStringEventTimeBecomeThisFile() {
    SageMakerImport.Result r = importFixture("products.json");
    assertEquals("""
        # Imported from SageMaker Feature Store group 'products' (products.json) by tidemark import-sagemaker.
        # Add a source: (or sources: and a transform:) to ingest it; see README "Feature definitions".
        name: products
        description: Product catalogue attributes, price and rating, one record per product and change
        record_identifier: product_id
        event_time: event_time
        event_time_formats: [iso8601] # SageMaker event time event_time: String, ISO-8601
        features:
          - name: product_id
            type: String
          - name: category
            type: String
          - name: price
            type: Fractional
          - name: avg_rating
            type: Fractional
          - name: stock_level
            type: Integral
          - name: event_time
            type: Timestamp
        offline:
          format: parquet             # SageMaker TableFormat Glue: Parquet files registered in Glue
        online:
          enabled: true
          ttl: 4w                     # SageMaker TtlDuration 4 Weeks
        sagemaker:                    # the group in SageMaker (export-sagemaker uses it; jobs ignore it)
          name: products
          offline_s3_uri: s3://acme-ml-feature-store/offline
        # Not carried over or changed on import (see the import report):
        #   owner: SageMaker groups have none and there is no 'owner' tag; the definition has no owner (pass --owner to set one)
        #   OnlineStoreConfig.StorageType 'InMemory': not carried; Tidemark's online store is DynamoDB (Standard)
        #   OfflineStoreConfig.S3StorageConfig.S3Uri 's3://acme-ml-feature-store/offline': kept as sagemaker.offline_s3_uri for export-sagemaker; Tidemark keeps its history under offline.root (tidemark.yaml), and the SageMaker history is not copied
        #   OfflineStoreConfig.DataCatalogConfig sagemaker_featurestore.products_1714565100: not carried; Tidemark registers the table as <catalog.database>.<group> (catalog.database in tidemark.yaml)
        #   ThroughputConfig.ThroughputMode 'Provisioned': not carried; Tidemark's online tables are on demand, with online.write_capacity in tidemark.yaml to limit the write rate
        #   RoleArn 'arn:aws:iam::111122223333:role/SageMakerFeatureStoreRole': not carried; Tidemark's jobs run with the EMR (or EMR Serverless) role
        """, r.yaml());
    assertEquals(List.of(), r.leftOut());
    assertEquals(6, r.report().size());
    FeatureGroup g = r.group();
    assertEquals(List.of(EventTimeFormat.ISO8601), g.eventTimeFormats());
    assertEquals(new OfflineSettings(StorageFormat.PARQUET, true), g.offline());
    assertEquals(new OnlineSettings(true, Optional.of(Duration.ofDays(28))), g.online());
    assertEquals("", g.owner());
    assertEquals(dir.resolve("products.yaml"), g.file());
  }

  @Test
  void customerProfilesAreRenamedReadAsEpochSecondsAndKeepTheirCollections() {
    SageMakerImport.Result r = importFixture("customer-profiles.json");
    FeatureGroup g = r.group();
    assertEquals("Customer-Profiles", r.sageMakerName());
    assertEquals("customer_profiles", g.name());
    assertEquals("growth-ml@example.com", g.owner());
    assertEquals(Map.of("domain", "customers", "pii", "false"), g.tags());
    assertEquals("customer_id", g.recordIdentifier());
    assertEquals("event_time", g.eventTime());
    assertEquals(List.of(EventTimeFormat.EPOCH_SECONDS), g.eventTimeFormats());
    assertEquals(List.of(new FeatureDefinition("customer_id", FeatureType.STRING, "", false),
        feature("age", FeatureType.INTEGRAL), feature("membership_tier", FeatureType.STRING),
        feature("total_purchases", FeatureType.INTEGRAL), feature("avg_order_value", FeatureType.FRACTIONAL),
        new FeatureDefinition("recent_product_ids", FeatureType.STRING, "", true, List.of(),
            Optional.of(FeatureCollection.list(1000))),
        new FeatureDefinition("profile_embedding", FeatureType.FRACTIONAL, "", true, List.of(),
            Optional.of(FeatureCollection.vector(16))),
        new FeatureDefinition("event_time", FeatureType.TIMESTAMP, "", false)), g.features());
    assertEquals(new OnlineSettings(true, Optional.of(Duration.ofDays(90))), g.online());
    assertEquals(new OfflineSettings(StorageFormat.DELTA, true), g.offline());
    assertEquals(Optional.of(new SageMakerOrigin("Customer-Profiles", Map.of("customer_id", "CustomerId", "age", "Age",
        "membership_tier", "MembershipTier", "total_purchases", "TotalPurchases", "avg_order_value", "AvgOrderValue",
        "recent_product_ids", "RecentProductIds", "profile_embedding", "ProfileEmbedding", "event_time", "EventTime"),
        Optional.of("s3://acme-ml-feature-store/offline"))), g.sagemaker());
    assertEquals(List.of(), r.leftOut());
    assertEquals(List.of(
        "FeatureGroupName 'Customer-Profiles': Tidemark group 'customer_profiles' (lower case, words joined by '_'); "
            + "the original is kept as sagemaker.name",
        "FeatureDefinitions 'RecentProductIds' (String List): collection: list with max_elements 1000 (longer ones "
            + "are quarantined; raise it in the file)",
        "FeatureName: CustomerId -> customer_id, Age -> age, MembershipTier -> membership_tier, TotalPurchases -> "
            + "total_purchases, AvgOrderValue -> avg_order_value, RecentProductIds -> recent_product_ids, "
            + "ProfileEmbedding -> profile_embedding, EventTime -> event_time (lower case, words joined "
            + "by '_'); the originals are kept in sagemaker.feature_names",
        "OnlineStoreConfig.SecurityConfig.KmsKeyId 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-"
            + "1234567890ab': not carried per group; Tidemark encrypts its online tables with online.kms_key in "
            + "tidemark.yaml",
        "OfflineStoreConfig.S3StorageConfig.KmsKeyId 'alias/acme-feature-store': not carried per group; Tidemark "
            + "encrypts what it writes to S3 with s3.kms_key in tidemark.yaml",
        "OfflineStoreConfig.S3StorageConfig.S3Uri 's3://acme-ml-feature-store/offline': kept as "
            + "sagemaker.offline_s3_uri for export-sagemaker; Tidemark keeps its history under offline.root "
            + "(tidemark.yaml), and the SageMaker history is not copied",
        "OfflineStoreConfig.DataCatalogConfig sagemaker_featurestore.customer_profiles_1714564800: not carried; "
            + "Tidemark registers the table as <catalog.database>.<group> (catalog.database in tidemark.yaml)",
        "OfflineStoreConfig.TableFormat 'Iceberg': Tidemark has no Iceberg tables; the group uses delta, Tidemark's "
            + "transactional table format",
        "RoleArn 'arn:aws:iam::111122223333:role/SageMakerFeatureStoreRole': not carried; Tidemark's jobs run with "
            + "the EMR (or EMR Serverless) role"), r.report());
  }

  @Test
  void theWrittenFileIsWhatTidemarksParserReads() throws IOException {
    for (String f : List.of("customer-profiles.json", "products.json")) {
      SageMakerImport.Result r = importFixture(f);
      Path written = SageMakerImport.write(r, false);
      assertEquals(r.yaml(), Files.readString(written));
      assertEquals(r.group(), FeatureRegistry.load(dir, dir, Map.of()).group(r.group().name()));
    }
    IllegalStateException again = assertThrows(IllegalStateException.class,
        () -> SageMakerImport.write(importFixture("products.json"), false));
    assertEquals(dir.resolve("products.yaml") + " exists already; pass --force to replace it with the definition "
        + "imported from SageMaker group 'products'", again.getMessage());
    SageMakerImport.write(importFixture("products.json"), true);
  }

  @Test
  void exportThenImportGivesTheSameDefinition() {
    for (String f : List.of("customer-profiles.json", "products.json")) {
      SageMakerImport.Result imported = importFixture(f);
      SageMakerExport.Result exported = SageMakerExport.request(imported.group(), SageMakerExport.Options.defaults());
      SageMakerImport.Result back = SageMakerImport.fromJson(exported.json(), "exported", dir,
          SageMakerImport.Options.defaults());
      assertEquals(definition(imported.group()), definition(back.group()), f);
    }
  }

  @Test
  void aTidemarkGroupGoesToSageMakerAndBack() throws IOException {
    Files.writeString(dir.resolve("sessions.yaml"), """
        name: sessions
        description: Web sessions
        owner: web-ml@example.com
        tags: {domain: web}
        record_identifier: session_id
        event_time: started_at
        event_time_formats: [iso8601]
        features:
          - {name: session_id, type: Integral}
          - {name: pages, type: Integral}
          - {name: seconds_on_site, type: Fractional}
          - {name: started_at, type: Timestamp}
        offline: {format: parquet}
        online: {enabled: true, ttl: 36h}
        """);
    FeatureGroup native_ = FeatureRegistry.load(dir, dir, Map.of()).group("sessions");
    SageMakerExport.Result exported = SageMakerExport.request(native_, new SageMakerExport.Options(
        Optional.of("s3://web-ml/offline"), Optional.of("arn:aws:iam::111122223333:role/FeatureStore")));
    assertEquals("""
        {
          "FeatureGroupName" : "sessions",
          "RecordIdentifierFeatureName" : "session_id",
          "EventTimeFeatureName" : "started_at",
          "FeatureDefinitions" : [ {
            "FeatureName" : "session_id",
            "FeatureType" : "Integral"
          }, {
            "FeatureName" : "pages",
            "FeatureType" : "Integral"
          }, {
            "FeatureName" : "seconds_on_site",
            "FeatureType" : "Fractional"
          }, {
            "FeatureName" : "started_at",
            "FeatureType" : "String"
          } ],
          "OnlineStoreConfig" : {
            "EnableOnlineStore" : true,
            "TtlDuration" : {
              "Unit" : "Hours",
              "Value" : 36
            }
          },
          "OfflineStoreConfig" : {
            "S3StorageConfig" : {
              "S3Uri" : "s3://web-ml/offline"
            },
            "TableFormat" : "Glue"
          },
          "RoleArn" : "arn:aws:iam::111122223333:role/FeatureStore",
          "Description" : "Web sessions",
          "Tags" : [ {
            "Key" : "domain",
            "Value" : "web"
          }, {
            "Key" : "owner",
            "Value" : "web-ml@example.com"
          } ]
        }
        """, exported.json());
    assertEquals(List.of(), exported.report());
    SageMakerImport.Result back = SageMakerImport.fromJson(exported.json(), "exported", dir.resolve("again"),
        SageMakerImport.Options.defaults());
    // the only addition: where SageMaker's offline store is, for the next export
    assertEquals(definition(withOrigin(native_, new SageMakerOrigin("sessions", Map.of(),
        Optional.of("s3://web-ml/offline")))), definition(back.group()));
  }

  @Test
  void collectionFeaturesGoToSageMakerAndBack() throws IOException {
    Files.writeString(dir.resolve("items.yaml"), """
        name: items
        record_identifier: id
        event_time: t
        event_time_formats: [epoch_seconds]
        features:
          - {name: id, type: String}
          - {name: tags, type: String, collection: list}
          - {name: sizes, type: Integral, collection: set, max_elements: 5}
          - {name: vec, type: Fractional, collection: vector, dimension: 3}
          - {name: t, type: Timestamp}
        online: {enabled: true}
        """);
    FeatureGroup native_ = FeatureRegistry.load(dir, dir, Map.of()).group("items");
    SageMakerExport.Result exported = SageMakerExport.request(native_, SageMakerExport.Options.defaults());
    String json = exported.json();
    assertEquals("""
        {
          "FeatureGroupName" : "items",
          "RecordIdentifierFeatureName" : "id",
          "EventTimeFeatureName" : "t",
          "FeatureDefinitions" : [ {
            "FeatureName" : "id",
            "FeatureType" : "String"
          }, {
            "FeatureName" : "tags",
            "FeatureType" : "String",
            "CollectionType" : "List"
          }, {
            "FeatureName" : "sizes",
            "FeatureType" : "Integral",
            "CollectionType" : "Set"
          }, {
            "FeatureName" : "vec",
            "FeatureType" : "Fractional",
            "CollectionType" : "Vector",
            "CollectionConfig" : {
              "VectorConfig" : {
                "Dimension" : 3
              }
            }
          }, {
            "FeatureName" : "t",
            "FeatureType" : "Fractional"
          } ],
          "OnlineStoreConfig" : {
            "EnableOnlineStore" : true
          }
        }
        """, json);
    assertEquals(List.of("feature 'sizes': max_elements 5 is not carried (SageMaker has no such limit; "
        + "import-sagemaker reads back the default 1000)"), exported.report().stream()
        .filter(l -> l.contains("max_elements")).toList());
    SageMakerImport.Result back = SageMakerImport.fromJson(json, "exported", dir.resolve("again"),
        SageMakerImport.Options.defaults());
    assertEquals(List.of("tags list of String 1000", "sizes set of Integral 1000", "vec vector of 3 Fractional 3"),
        back.group().valueFeatures().stream().map(f -> f.name() + " " + f.typeName() + " "
            + f.collection().orElseThrow().maxElements()).toList());
  }

  @Test
  void whatSageMakerCannotExpressIsReportedOnExport() {
    Path shipped = Path.of("..", "feature-definitions").toAbsolutePath().normalize();
    FeatureGroup users = FeatureRegistry.load(shipped, Map.of("raw_root", "/raw")).group("users");
    SageMakerExport.Result r = SageMakerExport.request(users, SageMakerExport.Options.defaults());
    assertEquals(List.of(
        "feature 'age': its rules are not carried (SageMaker has no validation rules)",
        "feature 'membership_tier': its rules are not carried (SageMaker has no validation rules)",
        "event time 'event_time': String (ISO-8601, yyyy-MM-dd'T'HH:mm:ssZ); Tidemark also reads epoch_seconds for "
            + "it, SageMaker's String event time does not",
        "feature descriptions (user_id, age, membership_tier, total_purchases, avg_order_value, event_time): not "
            + "carried; CreateFeatureGroup has none (set them with aws sagemaker update-feature-metadata)",
        "OfflineStoreConfig: left out, no S3 URI known (pass --offline-s3-uri s3://bucket/prefix, or set "
            + "sagemaker.offline_s3_uri)",
        "ttl 90d: not carried (SageMaker has no time-to-live for point-in-time joins)",
        "sources and transform: not carried (SageMaker is fed with PutRecord; Tidemark's ingest stays the way in)"),
        r.report());
  }

  @Test
  void booleanAndTimestampFeaturesBecomeIntegralAndString() throws IOException {
    Files.writeString(dir.resolve("flags.yaml"), """
        name: flags
        record_identifier: id
        event_time: t
        event_time_formats: [epoch_seconds]
        features:
          - {name: id, type: String}
          - {name: active, type: Boolean, nullable: false}
          - {name: signup, type: Timestamp}
          - {name: t, type: Timestamp}
        offline: {partition_by: none}
        online: {enabled: true, ttl: 1500ms}
        """);
    FeatureGroup g = FeatureRegistry.load(dir, dir, Map.of()).group("flags");
    SageMakerExport.Result r = SageMakerExport.request(g, SageMakerExport.Options.defaults());
    assertEquals(List.of(
        "feature 'active' (Boolean): Integral, write 1 for true and 0 for false (SageMaker has no Boolean); "
            + "import-sagemaker reads it back as Integral",
        "feature 'active': nullable: false is not carried (SageMaker features are optional)",
        "feature 'signup' (Timestamp): String, write ISO-8601 (SageMaker has no Timestamp); import-sagemaker reads "
            + "it back as String",
        "online.ttl 1500ms: 2 Seconds (SageMaker's smallest unit)",
        "OfflineStoreConfig: left out, no S3 URI known (pass --offline-s3-uri s3://bucket/prefix, or set "
            + "sagemaker.offline_s3_uri)",
        "offline.partition_by none: not carried (SageMaker partitions its offline store by event time)"), r.report());
    FeatureGroup back = SageMakerImport.fromJson(r.json(), "flags.json", dir, SageMakerImport.Options.defaults())
        .group();
    assertEquals(List.of(new FeatureDefinition("id", FeatureType.STRING, "", false),
        feature("active", FeatureType.INTEGRAL), feature("signup", FeatureType.STRING),
        new FeatureDefinition("t", FeatureType.TIMESTAMP, "", false)), back.features());
    assertEquals(List.of(EventTimeFormat.EPOCH_SECONDS), back.eventTimeFormats());
  }

  @Test
  void namesAreMappedToTidemarkNames() {
    assertEquals("customer_profiles", SageMakerNames.group("Customer-Profiles"));
    assertEquals("customer_profiles", SageMakerNames.group("CustomerProfiles"));
    assertEquals("customer_profiles", SageMakerNames.group("customer--profiles_"));
    assertEquals("http_status", SageMakerNames.feature("HTTPStatus"));
    assertEquals("customer_id", SageMakerNames.feature("CustomerID"));
    assertEquals("avg_order_value_v2", SageMakerNames.feature("avgOrderValueV2"));
    assertEquals("f_7day_spend", SageMakerNames.feature("7day-spend"));
    assertEquals("g_2024_users", SageMakerNames.group("2024-users"));
  }

  static final String MINIMAL = """
      {"FeatureGroupName": "Orders", "RecordIdentifierFeatureName": "%s", "EventTimeFeatureName": "ts",
       "FeatureDefinitions": [%s],
       "OnlineStoreConfig": {"EnableOnlineStore": true, "TtlDuration": {"Unit": "%s", "Value": 3}}}
      """;

  static String minimal(String recordId, String features, String ttlUnit) {
    return MINIMAL.formatted(recordId, features, ttlUnit);
  }

  @Test
  void problemsAreAllReportedAtOnce() {
    SageMakerException e = assertThrows(SageMakerException.class, () -> SageMakerImport.fromJson(minimal("OrderId",
        """
        {"FeatureName": "order_id", "FeatureType": "String"}, {"FeatureName": "OrderId", "FeatureType": "String"},
        {"FeatureName": "ts", "FeatureType": "String"}""", "Months"), "orders.json", dir,
        SageMakerImport.Options.defaults()));
    assertEquals("""
        cannot import orders.json (3 problems):
          FeatureDefinitions 'order_id' and 'OrderId' both map to Tidemark feature 'order_id' (Tidemark names are \
        lower case; rename one in SageMaker)
          RecordIdentifierFeatureName 'OrderId' is not one of the FeatureDefinitions (known: order_id, ts)
          OnlineStoreConfig.TtlDuration.Unit is 'Months' (SageMaker's units are Seconds, Minutes, Hours, Days, \
        Weeks)""", e.getMessage());
  }

  @Test
  void aRecordIdentifierMissingFromTheFeaturesIsAnError() {
    SageMakerException e = assertThrows(SageMakerException.class, () -> SageMakerImport.fromJson(minimal("order_id",
        "{\"FeatureName\": \"ts\", \"FeatureType\": \"Fractional\"}", "Days"), "orders.json", dir,
        SageMakerImport.Options.defaults()));
    assertEquals(List.of("RecordIdentifierFeatureName 'order_id' is not one of the FeatureDefinitions (known: ts)"),
        e.problems());
  }

  @Test
  void twoGroupsThatMapToOneNameAreRefused() {
    String features = "{\"FeatureName\": \"id\", \"FeatureType\": \"String\"}, "
        + "{\"FeatureName\": \"ts\", \"FeatureType\": \"String\"}";
    SageMakerImport.Result a = SageMakerImport.fromJson(minimal("id", features, "Days"), "a.json", dir,
        SageMakerImport.Options.defaults());
    SageMakerImport.Result b = SageMakerImport.fromJson(minimal("id", features, "Days").replace("\"Orders\"",
        "\"orders\""), "b.json", dir, SageMakerImport.Options.defaults());
    SageMakerException e = assertThrows(SageMakerException.class, () -> SageMakerImport.checkDistinct(List.of(a, b)));
    assertEquals(List.of("SageMaker groups 'Orders' and 'orders' both map to Tidemark group 'orders' (import one of "
        + "them with --name NAME)"), e.problems());
  }

  private static FeatureGroup withOrigin(FeatureGroup g, SageMakerOrigin origin) {
    return new FeatureGroup(g.name(), g.description(), g.owner(), g.tags(), g.recordIdentifier(), g.eventTime(),
        g.eventTimeFormats(), g.eventTimeRange(), g.features(), g.source(), g.offline(), g.online(), g.ttl(),
        g.windows(), Optional.of(origin), g.file(), g.contentHash());
  }
}
