package io.tidemark.definitions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefinitionParserTest {
  @TempDir
  Path project;

  static final String VALID = """
      name: users
      description: Customer profiles
      owner: team@example.com
      tags: {domain: customers}
      record_identifier: user_id
      event_time: event_time
      ttl: 90d
      features:
        - {name: user_id, type: String, description: the id}
        - {name: age, type: Integral, nullable: false}
        - {name: score, type: Fractional}
        - {name: vip, type: Boolean}
        - {name: signup, type: Timestamp}
        - {name: event_time, type: Timestamp}
      source:
        path: ${raw_root}/users.csv
        format: csv
        options: {header: "true", delimiter: ";"}
        transform: sql/users.sql
      offline: {format: parquet, partition_by: none}
      online: {enabled: true, ttl: 12h}
      """;

  @Test
  void parsesEveryPartOfAValidDefinition() throws IOException {
    write("sql/users.sql", "SELECT * FROM {{input}}");
    FeatureGroup g = load(Map.of("users.yaml", VALID)).group("users");

    assertEquals("Customer profiles", g.description());
    assertEquals("team@example.com", g.owner());
    assertEquals(Map.of("domain", "customers"), g.tags());
    assertEquals("user_id", g.recordIdentifier());
    assertEquals("event_time", g.eventTime());
    assertEquals(List.of(EventTimeFormat.ISO8601, EventTimeFormat.EPOCH_SECONDS), g.eventTimeFormats());
    assertEquals(Optional.of(Duration.ofDays(90)), g.ttl());
    assertEquals(List.of(
        new FeatureDefinition("user_id", FeatureType.STRING, "the id", false),
        new FeatureDefinition("age", FeatureType.INTEGRAL, "", false),
        new FeatureDefinition("score", FeatureType.FRACTIONAL, "", true),
        new FeatureDefinition("vip", FeatureType.BOOLEAN, "", true),
        new FeatureDefinition("signup", FeatureType.TIMESTAMP, "", true),
        new FeatureDefinition("event_time", FeatureType.TIMESTAMP, "", false)), g.features());
    SourceDefinition s = g.source().orElseThrow();
    assertEquals("/data/raw/users.csv", s.path());
    assertEquals(SourceFormat.CSV, s.format());
    assertEquals(Map.of("header", "true", "delimiter", ";"), s.options());
    assertEquals(Optional.of(project.resolve("sql/users.sql")), s.transform());
    assertEquals(new OfflineSettings(StorageFormat.PARQUET, false), g.offline());
    assertEquals(new OnlineSettings(true, Optional.of(Duration.ofHours(12))), g.online());
    assertEquals(List.of("age", "score", "vip", "signup"), g.valueFeatures().stream().map(FeatureDefinition::name)
        .toList());
  }

  @Test
  void defaultsAreDeltaPartitionedByDateOfflineOnlyNoTtl() {
    FeatureGroup g = load(Map.of("p.yaml", """
        name: p
        record_identifier: id
        event_time: t
        features: [{name: id, type: Integral}, {name: t, type: Timestamp}]
        """)).group("p");
    assertEquals(new OfflineSettings(StorageFormat.DELTA, true), g.offline());
    assertEquals(OnlineSettings.disabled(), g.online());
    assertEquals(Optional.empty(), g.ttl());
    assertEquals(Optional.empty(), g.source());
  }

  @Test
  void unknownKeyNamesLineAndSuggestsTheClosest() {
    assertProblems(Map.of("users.yaml", """
        name: users
        record_identifier: id
        event_time: t
        featurs: []
        features: [{name: id, type: String}, {name: t, type: Timestamp}]
        """), "users.yaml:4: unknown key 'featurs' in the feature group (did you mean 'features'? allowed keys: "
        + "name, description, owner, tags, record_identifier, event_time, event_time_formats, event_time_range, features, source, "
        + "sources, transform, windows, offline, online, ttl, sagemaker)");
  }

  @Test
  void unknownFeatureKeyAndUnknownType() {
    assertProblems(Map.of("g.yaml", """
        name: g
        record_identifier: id
        event_time: t
        features:
          - name: id
            type: String
          - name: t
            type: Timestamp
          - name: x
            type: Float
            nulable: true
        """),
        "g.yaml:10: unknown type 'Float' for feature 'x' (use one of String, Integral, Fractional, Boolean, Timestamp)",
        "g.yaml:11: unknown key 'nulable' in a feature (did you mean 'nullable'? allowed keys: name, type, "
            + "description, nullable, rules, collection, dimension, max_elements)");
  }

  @Test
  void duplicateFeatureAndDuplicateKey() {
    assertProblems(Map.of("g.yaml", """
        name: g
        record_identifier: id
        event_time: t
        event_time: t
        features:
          - {name: id, type: String}
          - {name: t, type: Timestamp}
          - {name: id, type: String}
        """),
        "g.yaml:4: duplicate key 'event_time' in the feature group (remove one of the two (the first is on line 3))",
        "g.yaml:8: duplicate feature 'id' (it is already defined on line 6)");
  }

  @Test
  void missingRecordIdentifierAndEventTime() {
    assertProblems(Map.of("g.yaml", """
        name: g
        features: [{name: id, type: String}]
        """),
        "g.yaml:1: missing 'record_identifier' in the feature group (add record_identifier: <the feature that "
            + "identifies a record>)",
        "g.yaml:1: missing 'event_time' in the feature group (add event_time: <the Timestamp feature saying when "
            + "the values became true>)");
  }

  @Test
  void wrongTypesForRecordIdentifierAndEventTime() {
    assertProblems(Map.of("g.yaml", """
        name: g
        record_identifier: id
        event_time: t
        features: [{name: id, type: Fractional}, {name: t, type: String}]
        """),
        "g.yaml:2: record_identifier 'id' has type Fractional but must be String or Integral (change the "
            + "feature's type to String or Integral)",
        "g.yaml:3: event_time 't' has type String but must be Timestamp (change the feature's type to Timestamp)");
  }

  @Test
  void recordIdentifierThatIsNotAFeature() {
    assertProblems(Map.of("g.yaml", """
        name: g
        record_identifier: customer
        event_time: t
        features: [{name: id, type: String}, {name: t, type: Timestamp}]
        """),
        "g.yaml:2: record_identifier 'customer' is not one of the group's features (add a feature named customer "
            + "or name an existing one)");
  }

  @Test
  void namesMustBeSimpleIdentifiers() {
    assertProblems(Map.of("g.yaml", """
        name: g
        record_identifier: id
        event_time: t
        features:
          - {name: id, type: String}
          - {name: t, type: Timestamp}
          - {name: "x; DROP TABLE users", type: String}
          - {name: Bad, type: String}
          - {name: a__b, type: String}
        """),
        "g.yaml:7: feature name 'x; DROP TABLE users' is not a simple identifier (use lower-case letters, digits and "
            + "single underscores, starting with a letter ([a-z][a-z0-9_]*))",
        "g.yaml:8: feature name 'Bad' is not a simple identifier (use lower-case letters, digits and single "
            + "underscores, starting with a letter ([a-z][a-z0-9_]*))",
        "g.yaml:9: feature name 'a__b' is not a simple identifier (use lower-case letters, digits and single "
            + "underscores, starting with a letter ([a-z][a-z0-9_]*))");
  }

  @Test
  void reservedNames() {
    assertProblems(Map.of("g.yaml", """
        name: g
        record_identifier: id
        event_time: t
        features:
          - {name: id, type: String}
          - {name: t, type: Timestamp}
          - {name: write_time, type: Timestamp}
          - {name: is_deleted, type: Boolean}
        """),
        "g.yaml:7: 'write_time' is reserved for Tidemark's metadata columns (rename the feature; reserved: "
            + "api_invocation_time, event_date, is_deleted, write_time)",
        "g.yaml:8: 'is_deleted' is reserved for Tidemark's metadata columns (rename the feature; reserved: "
            + "api_invocation_time, event_date, is_deleted, write_time)");
  }

  @Test
  void missingTransformFile() {
    assertProblems(Map.of("g.yaml", """
        name: g
        record_identifier: id
        event_time: t
        features: [{name: id, type: String}, {name: t, type: Timestamp}]
        source:
          path: /data/g.csv
          format: csv
          transform: sql/missing.sql
        """),
        "g.yaml:8: transform file 'sql/missing.sql' does not exist (looked for " + project.resolve("sql/missing.sql")
            + ") (create it or fix the path; paths are relative to " + project + ")");
  }

  @Test
  void badValuesInSourceOfflineOnlineAndTtl() {
    assertProblems(Map.of("g.yaml", """
        name: g
        record_identifier: id
        event_time: t
        ttl: 90 days
        features: [{name: id, type: String}, {name: t, type: Timestamp}]
        source: {path: "${nowhere}/g.csv", format: xml}
        offline: {format: orc}
        online: {enabled: yes please}
        """),
        "g.yaml:4: 'ttl' is '90 days' (write a duration like 500ms, 30s, 15m, 6h, 90d or 2w, or none)",
        "g.yaml:6: unknown variable ${nowhere} in '${nowhere}/g.csv' (known variables: raw_root (set more under "
            + "variables: in tidemark.yaml))",
        "g.yaml:6: unknown source format 'xml' (use one of csv, json, parquet, delta)",
        "g.yaml:7: unknown offline format 'orc' (use delta or parquet)",
        "g.yaml:8: 'enabled' in 'online' of the feature group must be true or false, not 'yes please'");
  }

  @Test
  void fileNameMustMatchGroupNameAndYamlMustParse() {
    assertProblems(Map.of("users.yaml", """
        name: customers
        record_identifier: id
        event_time: t
        features: [{name: id, type: String}, {name: t, type: Timestamp}]
        """, "broken.yaml", "name: broken\nfeatures: [unclosed\n"),
        "broken.yaml:3: not valid YAML: expected ',' or ']', but got <stream end> (fix the YAML syntax)",
        "users.yaml:1: group 'customers' is defined in users.yaml (rename the file to customers.yaml or the group "
            + "to users)");
  }

  @Test
  void emptyFileAndMissingFolder() {
    assertProblems(Map.of("empty.yaml", ""),
        "empty.yaml:1: the file is empty (define a feature group (see README))");
    DefinitionException e = assertThrows(DefinitionException.class,
        () -> FeatureRegistry.load(project.resolve("nope"), project, Map.of()));
    assertEquals(project.resolve("nope") + ":0: the definitions folder does not exist (pass --definitions DIR or "
        + "run from the project root)", e.problems().get(0).toString());
  }

  @Test
  void unknownGroupSuggestsTheClosest() {
    FeatureRegistry r = load(Map.of("users.yaml", """
        name: users
        record_identifier: id
        event_time: t
        features: [{name: id, type: String}, {name: t, type: Timestamp}]
        """));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.group("user"));
    assertEquals("no feature group 'user' in " + project.resolve("feature-definitions")
        + "; did you mean 'users'? defined groups: users", e.getMessage());
  }

  @Test
  void shippedDefinitionsAreValid() {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    FeatureRegistry r = FeatureRegistry.load(repo.resolve("feature-definitions"), repo, Map.of("raw_root", "/raw"));
    FeatureGroup users = r.group("users");
    assertEquals(List.of("user_id", "age", "membership_tier", "total_purchases", "avg_order_value", "event_time"),
        users.featureNames());
    FeatureGroup products = r.group("products");
    assertEquals(List.of("product_id", "category", "price", "avg_rating", "stock_level", "event_time"),
        products.featureNames());
    assertEquals(List.of("product_id String", "embedding vector of 4 Fractional", "event_time Timestamp"),
        r.group("product_embeddings").features().stream().map(f -> f.name() + " " + f.typeName()).toList());
  }

  @Test
  void rulesAreCheckedAgainstTheFeatureType() {
    assertProblems(Map.of("g.yaml", """
        name: g
        record_identifier: id
        event_time: t
        features:
          - name: id
            type: String
            rules: [{min: 1}, {regex: "(unclosed"}, {max_length: 3, regex: "x"}]
          - name: n
            type: Integral
            rules: [{min: 5, max: 1}, {allowed_values: [1, 2], level: fatal}]
          - {name: t, type: Timestamp}
        """),
        "g.yaml:7: min/max apply to Integral and Fractional features, not String (remove the rule or change the type)",
        "g.yaml:7: the regex does not compile: Unclosed group (fix the regular expression)",
        "g.yaml:7: a rule must have exactly one check (min and max may go together), found [regex, max_length] "
            + "(write one check per list item)",
        "g.yaml:10: max 1.0 is below min 5.0 (swap them)",
        "g.yaml:10: unknown rule level 'fatal' (use error (quarantine the row) or warn (keep and count))");
  }

  @Test
  void sourcesAndWindowsAreValidated() throws IOException {
    write("sql/j.sql", "SELECT * FROM {{a}}");
    assertProblems(Map.of("g.yaml", """
        name: g
        record_identifier: id
        event_time: t
        features:
          - {name: id, type: String}
          - {name: t, type: Timestamp}
          - {name: n7, type: Fractional}
          - {name: orphan, type: Integral}
        sources:
          a: {path: /x, format: csv}
          B-2: {path: /y, format: csv}
        windows:
          key_column: uid
          time_column: at
          emit: hourly
          aggregations:
            - {feature: n7, function: count, window: 7d}
            - {feature: missing, function: sum, column: amount, window: 1d}
            - {feature: n7, function: median, column: amount, window: 1d}
        """),
        "g.yaml:9: several sources need a transform that combines them (add transform: sql/<file>.sql reading {{a}})",
        "g.yaml:11: source name 'B-2' is not a simple identifier (use [a-z][a-z0-9_]*; the transform reads it as "
            + "{{B-2}})",
        "g.yaml:15: unknown emit mode 'hourly' (use changes (exact, default) or daily)",
        "g.yaml:16: feature 'orphan' is not computed by any aggregation (add an aggregation for it, or remove it "
            + "from features:)",
        "g.yaml:17: feature 'n7' is Fractional but count gives Integral (change the feature's type)",
        "g.yaml:18: aggregation feature 'missing' is not one of the group's features (add it to features: with type "
            + "Fractional)",
        "g.yaml:19: unknown function 'median' (use count, sum, avg, min, max or count_distinct)");
  }

  @Test
  void shippedWindowGroupParses() {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    FeatureGroup w = FeatureRegistry.load(repo.resolve("feature-definitions"), repo, Map.of("raw_root", "/raw"))
        .group("user_purchase_windows");
    WindowDefinition def = w.windows().orElseThrow();
    assertEquals("user_id", def.keyColumn());
    assertEquals(Duration.ofDays(30), def.longestWindow());
  }

  @Test
  void durations() {
    assertEquals(Optional.of(Duration.ofMillis(500)), Durations.parse("500ms"));
    assertEquals(Optional.of(Duration.ofDays(14)), Durations.parse("2w"));
    assertEquals(Optional.empty(), Durations.parse("2 weeks"));
    assertEquals("90d", Durations.format(Duration.ofDays(90)));
    assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
  }

  @Test
  void theSageMakerBlockIsCheckedAndKept() {
    String group = """
        name: orders
        record_identifier: order_id
        event_time: ts
        features: [{name: order_id, type: String}, {name: ts, type: Timestamp}]
        sagemaker:
        """;
    FeatureGroup g = load(Map.of("orders.yaml", group + """
          name: Customer-Orders
          feature_names: {order_id: OrderId}
          offline_s3_uri: s3://ml/offline
        """)).group("orders");
    assertEquals(Optional.of(new SageMakerOrigin("Customer-Orders", Map.of("order_id", "OrderId"),
        Optional.of("s3://ml/offline"))), g.sagemaker());
    assertProblems(Map.of("orders.yaml", group + """
          name: -orders
          feature_names: {id: OrderId}
          offline_s3_uri: /tmp/offline
          role: x
        """),
        "orders.yaml:6: SageMaker group name '-orders' is not one SageMaker accepts (use letters, digits, '-' and "
            + "'_', starting and ending with a letter or digit, at most 64 characters)",
        "orders.yaml:7: sagemaker.feature_names names 'id', which is not one of the group's features (map the "
            + "Tidemark feature names (the keys) to SageMaker names (the values))",
        "orders.yaml:8: sagemaker.offline_s3_uri '/tmp/offline' is not an s3:// URI (write it as SageMaker does: "
            + "s3://bucket/prefix)",
        "orders.yaml:9: unknown key 'role' in 'sagemaker' of the feature group (allowed keys: name, feature_names, "
            + "offline_s3_uri)");
  }

  @Test
  void collectionFeaturesParse() {
    FeatureGroup g = load(Map.of("c.yaml", """
        name: c
        record_identifier: id
        event_time: t
        features:
          - {name: id, type: String}
          - {name: tags, type: String, collection: list}
          - {name: sizes, type: Integral, collection: set, max_elements: 5, rules: [{not_null: true}]}
          - {name: embedding, type: Fractional, collection: vector, dimension: 4}
          - {name: t, type: Timestamp}
        """)).group("c");
    ValidationRule notNull = new ValidationRule("sizes", ValidationRule.Kind.NOT_NULL, Optional.empty(),
        Optional.empty(), List.of(), Optional.empty(), Optional.empty(), ValidationRule.Level.ERROR);
    assertEquals(List.of(
        new FeatureDefinition("tags", FeatureType.STRING, "", true, List.of(), Optional.of(FeatureCollection.list(1000))),
        new FeatureDefinition("sizes", FeatureType.INTEGRAL, "", true, List.of(notNull),
            Optional.of(FeatureCollection.set(5))),
        new FeatureDefinition("embedding", FeatureType.FRACTIONAL, "", true, List.of(),
            Optional.of(FeatureCollection.vector(4)))), g.valueFeatures());
    assertEquals(List.of("list of String", "set of Integral", "vector of 4 Fractional"),
        g.valueFeatures().stream().map(FeatureDefinition::typeName).toList());
    assertEquals(List.of("array<string>", "array<bigint>", "array<double>"),
        g.valueFeatures().stream().map(f -> f.sparkType().catalogString()).toList());
  }

  @Test
  void collectionMistakesNameTheLineAndTheFix() {
    assertProblems(Map.of("c.yaml", """
        name: c
        record_identifier: id
        event_time: t
        features:
          - {name: id, type: String, collection: list}
          - {name: a, type: String, collection: bag}
          - {name: b, type: Integral, collection: vector, dimension: 3}
          - {name: v, type: Fractional, collection: vector}
          - {name: w, type: Fractional, collection: vector, dimension: 0}
          - {name: x, type: Boolean, collection: set}
          - {name: y, type: String, dimension: 3}
          - {name: z, type: Integral, collection: list, max_elements: -1, rules: [{min: 1}]}
          - {name: t, type: Timestamp}
        """),
        "c.yaml:2: record_identifier 'id' is a list of String but must be a single String or Integral "
            + "(remove collection: from feature id)",
        "c.yaml:6: unknown collection 'bag' for feature 'a' (use one of list, set, vector)",
        "c.yaml:7: a vector holds Fractional elements, feature 'b' has type Integral "
            + "(write type: Fractional, or use collection: list)",
        "c.yaml:8: vector feature 'v' has no dimension (add dimension: <the number of elements, 1..10000>)",
        "c.yaml:9: dimension of feature 'w' is '0' (write a whole number from 1 to 10000)",
        "c.yaml:10: a set holds String, Integral or Fractional elements, feature 'x' has type Boolean "
            + "(change the element type, or make the feature a single value)",
        "c.yaml:11: 'dimension' of feature 'y' applies to collection features only "
            + "(add collection: vector (type Fractional), or remove dimension)",
        "c.yaml:12: max_elements of feature 'z' is '-1' (write a whole number from 0 to 10000)",
        "c.yaml:12: collection feature 'z' takes only the not_null rule, found [min] "
            + "(remove the rule (element checks: the type, and max_elements))");
  }

  private FeatureRegistry load(Map<String, String> files) {
    files.forEach((name, text) -> write("feature-definitions/" + name, text));
    return FeatureRegistry.load(project.resolve("feature-definitions"), project, Map.of("raw_root", "/data/raw"));
  }

  private void assertProblems(Map<String, String> files, String... expected) {
    DefinitionException e = assertThrows(DefinitionException.class, () -> load(files));
    List<String> actual = e.problems().stream()
        .map(p -> p.toString().replace(project.resolve("feature-definitions") + "/", "")).toList();
    assertEquals(List.of(expected), actual);
  }

  private void write(String relative, String text) {
    try {
      Path p = project.resolve(relative);
      Files.createDirectories(p.getParent());
      Files.writeString(p, text);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }
}
