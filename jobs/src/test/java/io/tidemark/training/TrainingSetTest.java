package io.tidemark.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.Tidemark;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.testing.Rows;
import io.tidemark.testing.TestStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Training sets over real offline tables: outputs, manifests, rebuilds, options and errors. */
class TrainingSetTest {
  static final String USERS = """
      name: users
      description: test users
      owner: tests
      record_identifier: user_id
      event_time: event_time
      ttl: 30d
      features:
        - {name: user_id, type: String}
        - {name: tier, type: String}
        - {name: score, type: Fractional}
        - {name: event_time, type: Timestamp}
      source:
        path: ${raw_root}/users.csv
        format: csv
      """;
  static final String ITEMS = """
      name: items
      description: test items
      owner: tests
      record_identifier: item_id
      event_time: event_time
      features:
        - {name: item_id, type: Integral}
        - {name: price, type: Fractional}
        - {name: category, type: String}
        - {name: in_stock, type: Boolean}
        - {name: event_time, type: Timestamp}
      source:
        path: ${raw_root}/items.csv
        format: csv
      """;
  static final String USERS_CSV = """
      user_id,tier,score,event_time
      u1,bronze,1.0,2024-03-01T00:00:00Z
      u1,silver,2.0,2024-03-10T00:00:00Z
      u2,gold,5.0,2024-01-01T00:00:00Z
      u3,,,2024-03-05T00:00:00Z
      """;
  static final String ITEMS_CSV = """
      item_id,price,category,in_stock,event_time
      7,9.5,books,true,2024-03-01T00:00:00Z
      7,8.0,books,false,2024-03-08T00:00:00Z
      """;
  static final String SPINE_CSV = """
      customer,item_id,ts,returned
      u1,7,2024-03-05T00:00:00Z,false
      u1,7,2024-03-10T00:00:00Z,true
      u2,7,2024-03-05T00:00:00Z,false
      u3,8,2024-03-06T00:00:00Z,true
      u9,7,2024-02-01T00:00:00Z,false
      u1,7,2024-03-05T00:00:00Z,false
      """;
  /** customer, item_id, ts, returned, tier, score, price, category (sorted). */
  static final List<String> EXPECTED = List.of(
      "[u1,7,2024-03-05T00:00:00Z,false,bronze,1.0,9.5,books]",
      "[u1,7,2024-03-05T00:00:00Z,false,bronze,1.0,9.5,books]",
      "[u1,7,2024-03-10T00:00:00Z,true,silver,2.0,8.0,books]",
      "[u2,7,2024-03-05T00:00:00Z,false,null,null,9.5,books]",
      "[u3,8,2024-03-06T00:00:00Z,true,null,null,null,null]",
      "[u9,7,2024-02-01T00:00:00Z,false,null,null,null,null]");

  /** The shared store of the tests that only read it (each writes its own outputs). */
  private static TestStore shared;

  static synchronized TestStore shared() {
    if (shared == null) {
      shared = store("ts_shared");
    }
    return shared;
  }

  static TestStore store(String name) {
    TestStore store = new TestStore(name).definition("users.yaml", USERS).definition("items.yaml", ITEMS)
        .write("raw/users.csv", USERS_CSV).write("raw/items.csv", ITEMS_CSV).write("raw/spine.csv", SPINE_CSV);
    Tidemark tm = store.tidemark();
    tm.ingest("users").execute();
    tm.ingest("items").execute();
    return store;
  }

  static TrainingSetAction request(TestStore store, String output) {
    return store.tidemark().trainingSet().spine(store.path("raw/spine.csv").toString(), SourceFormat.CSV)
        .spineTimeColumn("ts").joinKey("users", "customer").features("users:tier,score")
        .features("items:price,category").label("returned")
        .output(store.path(output).toString(), OutputFormat.PARQUET);
  }

  /** Each row as [v1,v2,...], timestamps as UTC instants. */
  static List<String> rows(TestStore store, String output, String... columns) {
    return Rows.sorted(store.spark().read().parquet(store.path(output).toString()).select(columns[0],
        Arrays.copyOfRange(columns, 1, columns.length)));
  }

  static final String[] COLUMNS = {"customer", "item_id", "ts", "returned", "tier", "score", "price", "category"};

  @Test
  void joinsEverySpineRowAsOfItsTimeAndWritesAManifest() throws IOException {
    TestStore store = shared();
    TrainingSetResult r = request(store, "out/basic").execute();

    assertEquals(EXPECTED, rows(store, "out/basic", COLUMNS));
    assertEquals(List.of("customer", "item_id", "ts", "returned", "tier", "score", "price", "category"),
        Arrays.asList(store.spark().read().parquet(store.path("out/basic").toString()).columns()));
    // a CSV spine's columns typed (its join keys kept as text), written as one file
    assertEquals(List.of("string", "string", "timestamp", "boolean"), Arrays.stream(store.spark().read()
        .parquet(store.path("out/basic").toString()).schema().fields()).limit(4).map(f -> f.dataType()
        .simpleString()).toList());
    assertEquals(1, r.outputFiles().size());
    assertEquals(6, r.spineRows());
    assertEquals(6, r.outputRows());
    assertEquals(List.of(
        new TrainingSetResult.GroupStats("users", store.database + ".users", Optional.of(1L), 4, 0, 2),
        new TrainingSetResult.GroupStats("items", store.database + ".items", Optional.of(1L), 4, 0, 2)), r.groups());
    assertEquals(List.of("tier", "score", "price", "category"), r.featureColumns());
    assertTrue(r.summary().startsWith("training-set: 6 spine rows -> 6 rows, 4 features (users@v1 matched 4, "
        + "deleted 0, none 2; items@v1 matched 4, deleted 0, none 2) -> "), r.summary());

    String manifestPath = store.path("out/basic.manifest.json").toString();
    assertEquals(manifestPath, r.manifest());
    TrainingSetManifest m = TrainingSetManifest.fromJson(Files.readString(Path.of(manifestPath)), manifestPath);
    assertEquals(Optional.of(store.path("raw/spine.csv").toString()), m.spine().location());
    assertEquals("ts", m.spine().timeColumn());
    assertEquals(List.of("users", "items"), m.groups().stream().map(TrainingSetManifest.Group::group).toList());
    assertEquals(List.of("tier", "score"), m.groups().get(0).features());
    assertEquals("customer", m.groups().get(0).joinKey());
    assertEquals(Optional.of("30d"), m.groups().get(0).ttl());
    assertEquals(Optional.empty(), m.groups().get(1).ttl());
    assertEquals(Optional.of(1L), m.groups().get(0).deltaVersion());
    assertEquals(store.registry().group("users").contentHash(), m.groups().get(0).definitionHash());
    assertEquals(Optional.of("returned"), m.options().label());
    assertEquals(6, m.spineRows());
    assertEquals(6, m.outputRows());
    assertEquals(r.outputFiles(), m.output().files());
    assertTrue(!r.outputFiles().isEmpty() && r.outputFiles().stream().allMatch(f -> f.endsWith(".parquet")));
    assertEquals(64, m.spine().contentHash().length());

    IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
        () -> request(store, "out/basic").execute());
    assertEquals("output " + store.path("out/basic") + " already exists; choose another --output or pass "
        + "--overwrite", again.getMessage());
  }

  @Test
  void aRebuildFromTheManifestIsIdenticalAfterMoreDataAndDeletes() throws IOException {
    TestStore store = store("ts_rebuild");
    Tidemark tm = store.tidemark();
    TrainingSetResult first = request(store, "out/v1").execute();
    // items was ingested after users: its batch time is after every first-build row was written
    Instant firstWrite = store.spark().sql("SELECT max(write_time) FROM " + store.database + ".items").first()
        .getTimestamp(0).toInstant();

    store.write("raw/users2.csv", "user_id,tier,score,event_time\nu1,gold,3.0,2024-03-04T00:00:00Z\n"
        + "u2,gold,6.0,2024-03-04T00:00:00Z\n");
    tm.ingest("users").source(store.path("raw/users2.csv").toString(), SourceFormat.CSV).execute();
    store.write("raw/del.csv", "user_id,event_time\nu3,2024-03-06T00:00:00Z\n");
    tm.delete("users").from(store.path("raw/del.csv").toString(), SourceFormat.CSV).execute();

    // a fresh build sees the new versions and the tombstone
    TrainingSetResult fresh = request(store, "out/fresh").execute();
    assertEquals(List.of(
        "[u1,7,2024-03-05T00:00:00Z,false,gold,3.0,9.5,books]",
        "[u1,7,2024-03-05T00:00:00Z,false,gold,3.0,9.5,books]",
        "[u1,7,2024-03-10T00:00:00Z,true,silver,2.0,8.0,books]",
        "[u2,7,2024-03-05T00:00:00Z,false,gold,6.0,9.5,books]",
        "[u3,8,2024-03-06T00:00:00Z,true,null,null,null,null]",
        "[u9,7,2024-02-01T00:00:00Z,false,null,null,null,null]"), rows(store, "out/fresh", COLUMNS));
    assertEquals(new TrainingSetResult.GroupStats("users", store.database + ".users", Optional.of(3L), 4, 1, 1),
        fresh.groups().get(0));

    // the manifest pins the table versions: the same rows as the first build
    TrainingSetResult rebuilt = tm.trainingSet().fromManifest(first.manifest())
        .output(store.path("out/rebuilt").toString(), OutputFormat.PARQUET).execute();
    assertEquals(EXPECTED, rows(store, "out/rebuilt", COLUMNS));
    assertEquals(first.groups(), rebuilt.groups());
    assertEquals(List.of(), rebuilt.warnings());

    // --as-of the first batch's write time gives the first build's rows too
    request(store, "out/asof").asOf(Optional.of(firstWrite)).execute();
    assertEquals(EXPECTED, rows(store, "out/asof", COLUMNS));

    // a changed spine cannot be rebuilt from
    store.write("raw/spine.csv", SPINE_CSV + "u1,7,2024-03-11T00:00:00Z,true\n");
    IllegalStateException changed = assertThrows(IllegalStateException.class, () -> tm.trainingSet()
        .fromManifest(first.manifest()).output(store.path("out/r2").toString(), OutputFormat.PARQUET).execute());
    assertTrue(changed.getMessage().startsWith("spine " + store.path("raw/spine.csv") + " changed since the "
        + "manifest was written"), changed.getMessage());
  }

  @Test
  void asKnownAtHidesRowsWrittenAfterTheSpineTime() {
    TestStore store = shared();
    // every row was ingested now, long after the 2024 spine times: nothing was known then
    TrainingSetResult r = request(store, "out/known").asKnownAt(true).execute();
    assertEquals(List.of(0L, 0L), r.groups().stream().map(TrainingSetResult.GroupStats::matched).toList());
    assertEquals(List.of(
        "[u1,7,2024-03-05T00:00:00Z,false,null,null,null,null]",
        "[u1,7,2024-03-05T00:00:00Z,false,null,null,null,null]",
        "[u1,7,2024-03-10T00:00:00Z,true,null,null,null,null]",
        "[u2,7,2024-03-05T00:00:00Z,false,null,null,null,null]",
        "[u3,8,2024-03-06T00:00:00Z,true,null,null,null,null]",
        "[u9,7,2024-02-01T00:00:00Z,false,null,null,null,null]"), rows(store, "out/known", COLUMNS));
  }

  @Test
  void ttlOverrideStrictAndDelayApplyPerRequest() {
    TestStore store = shared();
    request(store, "out/opts").ttl("users", Optional.empty()).strict(true).execute();
    // no TTL: u2's January profile counts; strict: u1 at exactly 03-10 still sees bronze
    assertEquals(List.of(
        "[u1,7,2024-03-05T00:00:00Z,false,bronze,1.0,9.5,books]",
        "[u1,7,2024-03-05T00:00:00Z,false,bronze,1.0,9.5,books]",
        "[u1,7,2024-03-10T00:00:00Z,true,bronze,1.0,8.0,books]",
        "[u2,7,2024-03-05T00:00:00Z,false,gold,5.0,9.5,books]",
        "[u3,8,2024-03-06T00:00:00Z,true,null,null,null,null]",
        "[u9,7,2024-02-01T00:00:00Z,false,null,null,null,null]"), rows(store, "out/opts", COLUMNS));
    request(store, "out/delay").delay(Duration.ofDays(2)).execute();
    assertEquals(List.of(
        "[u1,7,2024-03-05T00:00:00Z,false,bronze,1.0,9.5,books]",
        "[u1,7,2024-03-05T00:00:00Z,false,bronze,1.0,9.5,books]",
        "[u1,7,2024-03-10T00:00:00Z,true,bronze,1.0,8.0,books]",
        "[u2,7,2024-03-05T00:00:00Z,false,null,null,9.5,books]",
        "[u3,8,2024-03-06T00:00:00Z,true,null,null,null,null]",
        "[u9,7,2024-02-01T00:00:00Z,false,null,null,null,null]"), rows(store, "out/delay", COLUMNS));
  }

  @Test
  void collisionsAreErrorsThatSayHowToFixThemAndPrefixesAvoidThem() {
    TestStore store = shared();
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> request(store, "out/x")
        .features("items:event_time").features("users:event_time").execute());
    assertEquals("group 'items' is listed in more than one --features; list all its features once: "
        + "items:a,b,c", both.getMessage());
    TrainingSetAction twoGroups = store.tidemark().trainingSet()
        .spine(store.path("raw/spine.csv").toString(), SourceFormat.CSV).spineTimeColumn("ts")
        .joinKey("users", "customer").features("users:event_time").features("items:event_time")
        .output(store.path("out/y").toString(), OutputFormat.PARQUET);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, twoGroups::execute);
    assertEquals("feature column 'event_time' comes from groups 'users' and 'items'; pass --prefix-features to "
        + "name feature columns <group>__<feature>, or request 'event_time' from one group only", e.getMessage());

    store.write("raw/spine2.csv", "customer,item_id,ts,tier\nu1,7,2024-03-05T00:00:00Z,x\n");
    TrainingSetAction spineClash = store.tidemark().trainingSet()
        .spine(store.path("raw/spine2.csv").toString(), SourceFormat.CSV).spineTimeColumn("ts")
        .joinKey("users", "customer").features("users:*").output(store.path("out/z").toString(), OutputFormat.PARQUET);
    e = assertThrows(IllegalArgumentException.class, spineClash::execute);
    assertEquals("feature column 'tier' of group 'users' collides with the spine column 'tier'; pass "
        + "--prefix-features to name feature columns <group>__<feature>, or rename the spine column", e.getMessage());

    spineClash.prefixFeatures(true).execute();
    List<String> rows = store.spark().read().parquet(store.path("out/z").toString())
        .selectExpr("tier", "users__tier", "users__score").collectAsList().stream().map(Row::toString).toList();
    assertEquals(List.of("[x,bronze,1.0]"), rows);

    twoGroups.prefixFeatures(true).execute();
    assertEquals(List.of("customer", "item_id", "ts", "returned", "users__event_time", "items__event_time"),
        Arrays.asList(store.spark().read().parquet(store.path("out/y").toString()).columns()));
  }

  @Test
  void sagemakerCsvPutsTheLabelFirstWithoutHeaderAndRegistersATable() throws IOException {
    TestStore store = shared();
    TrainingSetResult r = store.tidemark().trainingSet()
        .spine(store.path("raw/spine.csv").toString(), SourceFormat.CSV).spineTimeColumn("ts")
        .joinKey("users", "customer").features("users:score").features("items:price,in_stock").label("returned")
        .output(store.path("out/sm").toString(), OutputFormat.SAGEMAKER_CSV)
        .registerTable(store.database + ".train_sm").execute();
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(store.path("out/sm"))) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
        lines.addAll(Files.readAllLines(f));
      }
    }
    lines.sort(null);
    assertEquals(List.of("0,1.0,9.5,1", "0,1.0,9.5,1", "0,NaN,9.5,1", "0,NaN,NaN,NaN", "1,2.0,8.0,0",
        "1,NaN,NaN,NaN"), lines);
    assertEquals(6, r.outputRows());
    assertEquals(6, store.spark().table(store.database + ".train_sm").count());
  }

  /**
   * CSV outputs: one file with one header for a small set, the manifest names every column with its type, and a
   * sagemaker-csv set with no rows leaves no empty file behind (SageMaker's readers fail on one).
   */
  @Test
  void csvOutputsAreOneFileOneHeaderAndNeverAnEmptyFile() throws IOException {
    TestStore store = shared();
    TrainingSetResult csv = request(store, "out/one-csv").output(store.path("out/one-csv").toString(),
        OutputFormat.CSV).execute();
    assertEquals(1, csv.outputFiles().size());
    List<String> lines = Files.readAllLines(Path.of(java.net.URI.create(csv.outputFiles().get(0))));
    assertEquals(List.of("customer,item_id,ts,returned,tier,score,price,category"),
        lines.stream().filter(l -> l.startsWith("customer,")).toList());
    assertEquals(7, lines.size());
    TrainingSetManifest m = TrainingSetManifest.read(csv.manifest(),
        store.spark().sparkContext().hadoopConfiguration());
    assertEquals(List.of("customer string", "item_id string", "ts timestamp", "returned boolean", "tier string",
        "score double", "price double", "category string"),
        m.output().columns().stream().map(c -> c.name() + " " + c.type()).toList());

    store.write("raw/header-only.csv", "customer,item_id,ts,returned\n");
    TrainingSetResult empty = store.tidemark().trainingSet().spine(store.path("raw/header-only.csv").toString(),
            SourceFormat.CSV).spineTimeColumn("ts").joinKey("users", "customer").features("users:score")
        .label("returned").output(store.path("out/empty-sm").toString(), OutputFormat.SAGEMAKER_CSV).execute();
    assertEquals(List.of(0L, List.of()), List.of(empty.outputRows(), empty.outputFiles()));
    try (Stream<Path> files = Files.list(store.path("out/empty-sm"))) {
      assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("part-")).toList());
    }
  }

  /**
   * sagemaker-csv with text features: every value of every file parses as a float in Python's csv reader (as
   * SageMaker's containers read CSV: the first line sniffed, no header), and decoding the indexes with the
   * manifest's encodings gives back exactly the rows of the same set written as parquet.
   */
  @Test
  void sagemakerCsvEncodesTextAndTheManifestDecodesIt() throws Exception {
    TestStore store = shared();
    TrainingSetResult sm = request(store, "out/sm-text").output(store.path("out/sm-text").toString(),
        OutputFormat.SAGEMAKER_CSV).execute();
    String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    Process check = new ProcessBuilder(python, "-c", String.join("\n",
        "import csv, sys",
        "n = 0",
        "for path in sys.argv[1:]:",
        "    with open(path, newline='') as f:",
        "        first = f.readline()",
        "        assert csv.Sniffer().sniff(first).delimiter == ',', first",
        "        f.seek(0)",
        "        for row in csv.reader(f):",
        "            [float(v) for v in row]",
        "            n += 1",
        "print(n)"), sm.outputFiles().get(0).replaceFirst("^file:", "")).redirectErrorStream(true).start();
    String said = new String(check.getInputStream().readAllBytes()).trim();
    assertEquals(0, check.waitFor(), said);
    assertEquals("6", said);

    TrainingSetManifest m = TrainingSetManifest.read(sm.manifest(), store.spark().sparkContext()
        .hadoopConfiguration());
    // by frequency: tier bronze twice, silver once (null three times: index 2); category books four times
    assertEquals(Map.of("tier", List.of("bronze", "silver"), "category", List.of("books")),
        m.output().encodings());
    List<String> decoded = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(java.net.URI.create(sm.outputFiles().get(0))))) {
      String[] v = line.split(",", -1);
      decoded.add("[" + (v[0].equals("1") ? "true" : "false") + "," + decode(m, "tier", v[1]) + ","
          + (v[2].equals("NaN") ? "null" : v[2]) + "," + (v[3].equals("NaN") ? "null" : v[3]) + ","
          + decode(m, "category", v[4]) + "]");
    }
    decoded.sort(null);
    request(store, "out/basic-for-sm").execute();
    assertEquals(rows(store, "out/basic-for-sm", "returned", "tier", "score", "price", "category"), decoded);
  }

  private static String decode(TrainingSetManifest m, String column, String index) {
    List<String> values = m.output().encodings().get(column);
    int i = Integer.parseInt(index);
    return i < values.size() ? values.get(i) : "null";
  }

  @Test
  void spineAndRequestErrorsSayWhatAndHowToFix() {
    TestStore store = shared();
    store.write("raw/bad.csv", "customer,item_id,ts,returned\nu1,7,yesterday,false\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> request(store, "out/a")
        .spine(store.path("raw/bad.csv").toString(), SourceFormat.CSV).execute());
    assertEquals("spine " + store.path("raw/bad.csv") + ": 1 values of the time column 'ts' are not times, e.g. "
        + "'yesterday'; use ISO-8601 like 2024-03-01T10:00:00Z (UTC unless a zone is given)", e.getMessage());

    store.write("raw/badkey.csv", "customer,item_id,ts,returned\nu1,seven,2024-03-05T00:00:00Z,false\n");
    e = assertThrows(IllegalArgumentException.class, () -> request(store, "out/b")
        .spine(store.path("raw/badkey.csv").toString(), SourceFormat.CSV).execute());
    assertEquals("spine " + store.path("raw/badkey.csv") + ": 1 values of the join key column 'item_id' are not "
        + "Integral ids of group 'items'; fix them or map another column with --join-key items=COLUMN",
        e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> store.tidemark().trainingSet()
        .spine(store.path("raw/spine.csv").toString(), SourceFormat.CSV).spineTimeColumn("ts")
        .features("users:tier").output(store.path("out/c").toString(), OutputFormat.PARQUET).execute());
    assertEquals("spine " + store.path("raw/spine.csv") + " has no column 'user_id' to join group 'users' on (its "
        + "record identifier is user_id); add it, or map a spine column with --join-key users=COLUMN. Spine "
        + "columns: customer, item_id, ts, returned", e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> request(store, "out/d").features("users2:tier").execute());
    assertTrue(e.getMessage().startsWith("no feature group 'users2'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> store.tidemark().trainingSet()
        .features("users:nope").spine("x", SourceFormat.CSV).spineTimeColumn("ts").output("y", OutputFormat.CSV)
        .execute());
    assertTrue(e.getMessage().startsWith("group 'users' has no feature 'nope'"), e.getMessage());

    store.definition("clicks.yaml", USERS.replace("name: users", "name: clicks"));
    e = assertThrows(IllegalArgumentException.class, () -> request(store, "out/e").features("clicks:tier")
        .joinKey("clicks", "customer").prefixFeatures(true).execute());
    assertEquals("group 'clicks' has no offline table " + store.database + ".clicks yet; run: tidemark ingest "
        + "clicks", e.getMessage());
  }
}
