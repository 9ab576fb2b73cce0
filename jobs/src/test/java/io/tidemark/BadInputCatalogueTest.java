package io.tidemark;

import static io.tidemark.testing.CliRuns.project;
import static io.tidemark.testing.CliRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.cli.TidemarkCli;
import io.tidemark.definitions.DefinitionException;
import io.tidemark.definitions.DefinitionProblem;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.ingest.IngestResult;
import io.tidemark.testing.CliRuns.Run;
import io.tidemark.testing.Rows;
import io.tidemark.testing.TestStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue of bad and awkward inputs: one line per case, the input and the exact outcome (the problem with its
 * file:line, the stored value, the quarantine reason, the message and exit code). To add a case, add a line to the
 * section it belongs to. Each section runs its cases on one small project; the Spark sections ingest all their cases
 * in one batch, so a case costs a line of data, not a job.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCatalogueTest {

  // ---------------------------------------------------------------------------------------------------------------
  // 1. Definitions. A valid group g.yaml with an extra feature on line 8 and an extra top-level line 9
  //    -> every problem reported, as "line: message (fix)".
  // ---------------------------------------------------------------------------------------------------------------
  static Stream<Arguments> definitions() {
    return Stream.of(
        // item 7: durations too long for any instant arithmetic
        definition("", "ttl: 9999999999999d",
            "9: 'ttl' is '9999999999999d' (write at most 36500d (100 years), or none)"),
        definition("", "ttl: 99999999999999999999d",
            "9: 'ttl' is '99999999999999999999d' (write at most 36500d (100 years), or none)"),
        definition("", "online: {enabled: true, ttl: 9999999999999d}",
            "9: 'ttl' is '9999999999999d' (write at most 36500d (100 years), or none)"),
        definition("", "ttl: 36500d", "ok"),
        // item 8: online attribute names, allowed_values types, max_length
        definition("- {name: expires_at, type: Timestamp}", "online: {enabled: true}",
            "8: feature 'expires_at' of an online group has the name of an attribute Tidemark sets on every online "
                + "item (event_time, write_time, expires_at) (rename the feature)"),
        definition("- {name: event_time, type: String}", "online: {enabled: true}",
            "8: feature 'event_time' of an online group has the name of an attribute Tidemark sets on every online "
                + "item (event_time, write_time, expires_at) (rename the feature, or make it the group's event time)"),
        definition("- {name: expires_at, type: Timestamp}", "online: {enabled: false}", "ok"),
        definition("- {name: k, type: Integral, rules: [{allowed_values: [1, two, 3.5]}]}", "",
            "8: allowed_values of Integral feature 'k' must be whole numbers; not: 'two', '3.5' (list 64-bit "
                + "integers like [1, 2, 3], or change the type to String)"),
        definition("- {name: k, type: Integral, rules: [{allowed_values: [1, +2, 007]}]}", "", "ok"),
        definition("- {name: k, type: String, rules: [{max_length: -1}]}", "",
            "8: max_length of feature 'k' is '-1' (write a whole number >= 0 (characters))"),
        definition("- {name: k, type: String, rules: [{max_length: 2.5}]}", "",
            "8: max_length of feature 'k' is '2.5' (write a whole number >= 0 (characters))"),
        // item 3: epoch units and the event-time range
        definition("", "event_time_formats: [epoch_seconds, epoch_millis]",
            "9: event_time_formats has both epoch_seconds and epoch_millis, so a number like 1714564800000 could be "
                + "either (keep the one unit your data uses)"),
        definition("", "event_time_range: {min: 2100-01-01, max: 2000-01-01}",
            "9: event_time_range: max 2000-01-01T00:00:00Z is before min 2100-01-01T00:00:00Z (swap them)"),
        definition("", "event_time_range: {min: yesterday}",
            "9: event_time_range min 'yesterday' is not a time (write a UTC date like 2000-01-01 or an instant like "
                + "2000-01-01T00:00:00Z)"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 2. Raw values. One CSV line (or JSON line) per case, keyed by its id -> the stored row (id, event time, n, s)
  //    or the quarantine reasons. Groups c and a: csv, default formats (a: old and far times); m: csv, epoch_millis
  //    and a 2000..2100 range; j and k: json (k: numeric ids only). Each group is one batch of its own project.
  // ---------------------------------------------------------------------------------------------------------------
  static Stream<Arguments> values() {
    return Stream.of(
        // item 1: a quoted field with a newline is one field of one record
        value("c", "c01,2024-05-01T12:00:00Z,1,\"line one\nline two\"", "[c01,2024-05-01 12:00:00,1,line one\nline two]"),
        // item 2: RFC 4180 doubled quotes
        value("c", "c02,2024-05-01T12:00:00Z,2,\"she said \"\"hi\"\"\"", "[c02,2024-05-01 12:00:00,2,she said \"hi\"]"),
        value("c", "c03,2024-05-01T12:00:00Z,3,back\\slash \\\"x\\\"", "[c03,2024-05-01 12:00:00,3,back\\slash \\\"x\\\"]"),
        value("c", "\"c04\",2024-05-01T12:00:00Z,4,\"  kept spaces  \"", "[c04,2024-05-01 12:00:00,4,  kept spaces  ]"),
        // item 3: epoch milliseconds where seconds are declared: outside the range, with the likely cause
        value("c", "c05,1714564800000,5,x", "quarantined: t: outside the event-time range "
            + "0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999Z (epoch milliseconds? declare event_time_formats: "
            + "[epoch_millis]): '1714564800000'"),
        value("m", "m01,1714564800000,1,x", "[m01,2024-05-01 12:00:00,1,x]"),
        value("m", "m02,1714564800123,2,x", "[m02,2024-05-01 12:00:00.123,2,x]"),
        value("m", "m03,1714564800,3,x",
            "quarantined: t: outside the event-time range 2000-01-01T00:00:00Z..2100-01-01T00:00:00Z: '1714564800'"),
        value("m", "m04,2150-01-01T00:00:00Z,4,x", "quarantined: t: outside the event-time range "
            + "2000-01-01T00:00:00Z..2100-01-01T00:00:00Z: '2150-01-01T00:00:00Z'"),
        // item 5: any instant from year 0001 to 9999 is written
        value("a", "a01,1582-01-01T00:00:00Z,1,x", "[a01,1582-01-01 00:00:00,1,x]"),
        value("a", "a02,0001-01-01T00:00:00Z,2,x", "[a02,0001-01-01 00:00:00,2,x]"),
        value("a", "a03,9999-12-31T23:59:59Z,3,x", "[a03,9999-12-31 23:59:59,3,x]"),
        value("a", "a04,-62198755200,4,x", "quarantined: t: outside the event-time range "
            + "0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999Z: '-62198755200'"),
        // item 9: Integral reasons say what is wrong
        value("c", "c10,2024-05-01T12:00:00Z,1.0E19,x", "quarantined: n: out of the Integral range: '1.0E19'"),
        value("c", "c11,2024-05-01T12:00:00Z,4.0,x", "[c11,2024-05-01 12:00:00,4,x]"),
        value("c", "c12,2024-05-01T12:00:00Z,2.5,x", "quarantined: n: not a whole number: '2.5'"),
        value("c", "c13,2024-05-01T12:00:00Z,9223372036854775808,x",
            "quarantined: n: out of the Integral range: '9223372036854775808'"),
        value("c", "c14,2024-05-01T12:00:00Z,1e3,x", "[c14,2024-05-01 12:00:00,1000,x]"),
        value("j", "{\"id\": \"j01\", \"t\": \"2024-05-01T12:00:00Z\", \"n\": 1.0E19}",
            "quarantined: n: out of the Integral range: '1.0E19'"),
        value("j", "{\"id\": \"j02\", \"t\": \"2024-05-01T12:00:00Z\", \"n\": 4.0}", "[j02,2024-05-01 12:00:00,4,null]"),
        value("j", "{\"id\": \"j03\", \"t\": \"2024-05-01T12:00:00Z\", \"n\": 2.5}",
            "quarantined: n: not a whole number: '2.5'"),
        // item 4: JSON numbers in a String id are kept as written (not through a double); group k has only
        // numeric ids, which Spark would infer as one double column
        value("j", "{\"id\": 42, \"t\": \"2024-05-01T12:00:00Z\", \"n\": 1}", "[42,2024-05-01 12:00:00,1,null]"),
        value("j", "{\"id\": 42.5, \"t\": 1714564800, \"n\": 3, \"s\": true}", "[42.5,2024-05-01 12:00:00,3,true]"),
        value("k", "{\"id\": 42, \"t\": \"2024-05-01T12:00:00Z\", \"n\": 1, \"s\": \"x\"}", "[42,2024-05-01 12:00:00,1,x]"),
        value("k", "{\"id\": 12345678901234567890123, \"t\": \"2024-05-01T12:00:00Z\"}",
            "[12345678901234567890123,2024-05-01 12:00:00,null,null]"),
        value("k", "{\"id\": 7.25, \"t\": \"2024-05-01T12:00:00Z\"}", "[7.25,2024-05-01 12:00:00,null,null]"),
        value("k", "{\"id\": 1e20, \"t\": \"2024-05-01T12:00:00Z\"}", "[1e20,2024-05-01 12:00:00,null,null]"),
        value("k", "{\"id\": 42.50, \"t\": \"2024-05-01T12:00:00Z\"}", "[42.50,2024-05-01 12:00:00,null,null]"),
        value("k", "{\"id\": 43, \"t\": \"2024-05-01T12:00:00Z\", \"s\": {\"a\": [1, 2.50]}}",
            "[43,2024-05-01 12:00:00,null,{\"a\": [1, 2.50]}]"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 3. Command lines -> exit code and the first line of stderr. Project: group g (source raw/g.csv, not ingested);
  //    "bad-config" is a tidemark.yaml with two unknown keys, "bad-db" one whose catalog database is not a name.
  // ---------------------------------------------------------------------------------------------------------------
  static Stream<Arguments> commandLines() {
    return Stream.of(
        // item 14: README's exit codes: 2 bad command line, 3 invalid definitions or config
        cli("bogus", 2, "Unknown command: 'bogus'; the commands of tidemark are: ingest, delete, training-set, "
            + "materialize, get, reconcile, optimize, vacuum, groups, features, lineage, erase, drift, import-sagemaker, "
            + "export-sagemaker, demo, config, commands, help"),
        cli("groups bogus", 2, "Unknown command: 'bogus'; the commands of tidemark groups are: list, describe"),
        cli("drift g --baseline 2024-01-01..2024-02-01", 2, "Missing required option: '--current=WINDOW'"),
        cli("drift g --baseline 2024-02-01..2024-01-01 --current 2024-02-01..2024-03-01", 2, "tidemark: error: time "
            + "range 2024-02-01T00:00:00Z..2024-01-01T00:00:00Z is empty: the start must be before the end (the end "
            + "is exclusive)"),
        cli("drift g --baseline january --current 2024-02-01..2024-03-01", 2, "tidemark: error: 'january' is not a "
            + "window: write START..END (e.g. 2026-01-01..2026-02-01, UTC, the end exclusive), batch:ID or "
            + "manifest:PATH"),
        cli("drift g --baseline batch:abc --current 2024-02-01..2024-03-01", 2, "tidemark: error: 'batch:abc' names "
            + "no batch: write batch:ID with the batch id (at least its first 8 characters, as ingest prints it in "
            + "[batch ...])"),
        cli("drift g --baseline 2024-01-01..2024-02-01 --current 2024-02-01..2024-03-01 --features n,nope", 2,
            "tidemark: error: group 'g' has no feature 'nope' (its features: id, t, n, s)"),
        cli("drift g --baseline 2024-01-01..2024-02-01 --current 2024-02-01..2024-03-01 --alpha 2", 2,
            "tidemark: error: alpha 2.0 must be between 0 and 1 (e.g. 0.01)"),
        cli("drift g --baseline 2024-01-01..2024-02-01 --current 2024-02-01..2024-03-01", 1, "tidemark: error: group "
            + "'g' has no offline table {db}.g yet; run: tidemark ingest g"),
        cli("ingest g --start 2024-01-01", 2, "Error: Missing required argument(s): --end=INSTANT"),
        cli("ingest g --format csv", 2, "Error: Missing required argument(s): --source=PATH"),
        cli("ingest g --source x.csv --format xml", 2, "Invalid value for option '--format': unknown format 'xml'; "
            + "use one of csv, json, parquet, delta"),
        cli("ingest nosuch", 2, "tidemark: error: no feature group 'nosuch' in {defs}; defined groups: g"),
        cli("training-set --spine s.csv --spine-time-column t --features g:*", 2, "no output: pass --output PATH"),
        cli("training-set --spine s.csv --spine-time-column t --features g:nope --output o", 2,
            "tidemark: error: group 'g' has no feature 'nope' ({defs}/g.yaml); its features are id, t, n, s"),
        // item 7 on the command line
        cli("training-set --spine s.csv --spine-time-column t --features g:* --output o --ttl g=9999999999999d", 2,
            "--ttl g: '9999999999999d' is not a duration like 500ms, 30s, 15m, 6h, 90d or 2w of at most 36500d "
                + "(100 years)"),
        cli("training-set --spine s.csv --spine-time-column t --features g:* --output o --ttl "
            + "g=99999999999999999999d", 2, "--ttl g: '99999999999999999999d' is not a duration like 500ms, 30s, "
            + "15m, 6h, 90d or 2w of at most 36500d (100 years)"),
        // issue 12: maintenance commands
        cli("vacuum g --retain 7days", 2, "--retain: '7days' is not a duration like 500ms, 30s, 15m, 6h, 90d or 2w"),
        cli("optimize nosuch", 2, "tidemark: error: no feature group 'nosuch' in {defs}; defined groups: g"),
        cli("config --config bad-config", 3, "tidemark: {dir}/bad-config: unknown setting 'catalog.databse'; "
            + "{dir}/bad-config: unknown setting 'offline.rot'; known settings: catalog.database, "
            + "catalog.lock_wait, catalog.metastore, offline.root, offline.target_file_size, online.endpoint, online.grace_period, "
            + "online.kms_key, online.region, online.table_prefix, online.write_capacity, online.write_concurrency, "
            + "online.write_tasks, s3.access_key, s3.endpoint, s3.kms_key, s3.path_style, s3.region, s3.secret_key, "
            + "spark.master, variables.<name>, spark.conf.<spark setting>"),
        cli("config --config bad-db", 3, "tidemark: setting catalog.database = 'tm`; drop table x' is not a database "
            + "name (use lower-case letters, digits and underscores, starting with a letter or underscore, at most "
            + "128 characters)"),
        cli("ingest g --config missing.yaml", 3, "tidemark: config file {dir}/missing.yaml does not exist"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 4. Files read and written by jobs (through the CLI, on the shared session) -> exit code and outcome.
  //    Group p: id String, t, v Integral, with rows for u"quote, plain and a two-line id, all at 2024-05-01.
  // ---------------------------------------------------------------------------------------------------------------
  static Stream<Arguments> jobInputs() {
    return Stream.of(
        // item 2: RFC 4180 spine ids join
        job("spine", "id,t\n\"u\"\"quote\",2024-06-01T00:00:00Z\nplain,2024-06-01T00:00:00Z\n", 0,
            "[plain,2024-06-01T00:00:00Z,8] [u\"quote,2024-06-01T00:00:00Z,7]"),
        // item 1 in a spine
        job("spine", "id,t\n\"two\nlines\",2024-06-01T00:00:00Z\n", 0, "[two\nlines,2024-06-01T00:00:00Z,9]"),
        // item 6: a header-only spine gives an empty training set
        job("spine", "id,t\n", 0, ""),
        // item 11: empty files say they are empty
        job("spine", "", 1, "tidemark: error: csv spine '{file}' is empty (0 bytes, no header line); check the "
            + "export that wrote it"),
        job("source", "", 1, "tidemark: error: csv source '{file}' is empty (0 bytes, no header line); check the "
            + "export that wrote it"),
        job("source", "{json}", 1, "tidemark: error: json source '{file}' is empty (0 bytes, no JSON records); check "
            + "the export that wrote it"),
        // item 12: a missing spine names the spine's flags
        job("spine", null, 1, "tidemark: error: cannot read csv spine '{file}': [PATH_NOT_FOUND] Path does not "
            + "exist: file:{file}. (check --spine PATH and --spine-format, or read the spine from the catalog with "
            + "--spine-table DB.TABLE)"),
        // item 2: a delete file's quoted id deletes that record
        job("delete", "id,t\n\"u\"\"quote\",2024-05-15T00:00:00Z\n", 0,
            "delete p: read 1, written 1 (1 file), quarantined 0; then [u\"quote,2024-06-01T00:00:00Z,null]"),
        // item 15: an input is its content: the same bytes under another name, or touched, are not ingested again
        job("same-content", P_ROWS, 0, "ingest p: this input was already committed to DB.p v1 as batch ID; nothing "
            + "written (read 3, written 3, quarantined 0 then; use --force to ingest it again)"),
        job("same-content", P_ROWS + "plain2,2024-05-01T00:00:00Z,10\n", 0,
            "ingest p: read 4, written 4 (1 file), quarantined 0 -> DB.p v2 [batch ID]"),
        // item 2: csv output is RFC 4180
        job("csv-output", "id,t\n\"u\"\"quote\",2024-06-01T00:00:00Z\n", 0,
            "id,t,v\n\"u\"\"quote\",2024-06-01T00:00:00.000000Z,7\n"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 5. SQL transforms (sql/t.sql) -> the message: the parser's own detail, with the line and column in the file.
  // ---------------------------------------------------------------------------------------------------------------
  static Stream<Arguments> transforms() {
    return Stream.of(
        // item 10
        transform("SELECT id, t FROM {{input}} WHERE (", "the SQL does not parse at line 1, column 36: Syntax "
            + "error at or near end of input in: SELECT id, t FROM {{input}} WHERE ( (fix the SQL syntax)"),
        transform("\n-- a comment\nSELECT id,\n  t FORM {{input}}", "the SQL does not parse at line 4, column 10: "
            + "Syntax error at or near '{{input}}': extra input '{{input}}' in: t FORM {{input}} (fix the SQL syntax)"),
        transform("SELECT id FROM {{input}} GROUP BY BY id", "the SQL does not parse at line 1, column 38: Syntax "
            + "error at or near 'id': extra input 'id' in: SELECT id FROM {{input}} GROUP BY BY id (fix the SQL "
            + "syntax)"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 6. Two processes on one TIDEMARK_HOME (item 13): see twoProcessesOnOneHome below.
  // ---------------------------------------------------------------------------------------------------------------

  // ===============================================================================================================
  // How each section runs.
  // ===============================================================================================================

  private static final String BASE = """
      name: g
      record_identifier: id
      event_time: t
      features:
        - {name: id, type: String}
        - {name: t, type: Timestamp}
        - {name: n, type: Integral}
        %s
      %s
      """;

  static Arguments definition(String featureLine, String topLine, String expected) {
    return Arguments.of(featureLine, topLine, expected);
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("definitions")
  void definitionCase(String featureLine, String topLine, String expected, @org.junit.jupiter.api.io.TempDir Path dir)
      throws IOException {
    Path defs = Files.createDirectories(dir.resolve("feature-definitions"));
    Files.writeString(defs.resolve("g.yaml"), BASE.formatted(featureLine.isEmpty() ? "- {name: s, type: String}"
        : featureLine, topLine));
    String outcome;
    try {
      FeatureRegistry.load(defs, dir, Map.of());
      outcome = "ok";
    } catch (DefinitionException e) {
      outcome = e.problems().stream().map(DefinitionProblem::toString)
          .map(p -> p.replace(defs.resolve("g.yaml") + ":", "")).collect(Collectors.joining("\n"));
    }
    assertEquals(expected, outcome);
  }

  private static final Map<String, List<String>> VALUE_LINES = new TreeMap<>();
  private static final Map<String, String> VALUE_HEADERS = Map.of(
      "c", "",
      "a", "",
      "k", "",
      "m", "event_time_formats: [iso8601, epoch_millis]\nevent_time_range: {min: 2000-01-01, max: 2100-01-01}",
      "j", "");
  private final Map<String, Map<String, String>> valueOutcomes = new TreeMap<>();
  private final Map<String, IngestResult> valueResults = new TreeMap<>();

  static Arguments value(String group, String line, String expected) {
    VALUE_LINES.computeIfAbsent(group, g -> new ArrayList<>()).add(line);
    return Arguments.of(group, line, expected);
  }

  private static final String VALUE_GROUP = """
      name: %s
      record_identifier: id
      event_time: t
      %s
      features:
        - {name: id, type: String}
        - {name: t, type: Timestamp}
        - {name: n, type: Integral}
        - {name: s, type: String}
      source: {path: "${raw_root}/%s", format: %s}
      """;

  /** Ingests every value case of a group in one batch (its own project) and records each id's outcome. */
  private Map<String, String> outcomes(String g) {
    if (valueOutcomes.containsKey(g)) {
      return valueOutcomes.get(g);
    }
    if (VALUE_LINES.isEmpty()) {
      values().count();
    }
    boolean json = g.equals("j") || g.equals("k");
    String file = g + (json ? ".json" : ".csv");
    TestStore store = new TestStore("catalogue_values_" + g)
        .definition(g + ".yaml", VALUE_GROUP.formatted(g, VALUE_HEADERS.get(g), file, json ? "json" : "csv"))
        .write("raw/" + file, (json ? "" : "id,t,n,s\n") + String.join("\n", VALUE_LINES.get(g)) + "\n");
    Map<String, String> outcomes = new TreeMap<>();
    valueResults.put(g, store.tidemark().ingest(g).execute());
    String table = store.database + "." + g;
    store.spark().sql("SELECT id, CAST(t AS STRING), n, s FROM " + table).collectAsList()
        .forEach(r -> outcomes.put(r.getString(0), r.toString()));
    if (store.spark().catalog().tableExists(table + "__quarantine")) {
      store.spark().sql("SELECT get_json_object(raw_row, '$.id'), array_join(reasons, ' | ') FROM " + table
              + "__quarantine").collectAsList()
          .forEach(r -> outcomes.put(r.getString(0), "quarantined: " + r.getString(1)));
    }
    valueOutcomes.put(g, outcomes);
    return outcomes;
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @MethodSource("values")
  void valueCase(String group, String line, String expected) {
    String id = line.startsWith("{") ? line.replaceFirst("(?s)^\\{\"id\": \"?([^,\"]*)\"?,.*", "$1")
        : line.replaceFirst("(?s)^\"?([^,\"]*)\"?,.*", "$1");
    Map<String, String> outcomes = outcomes(group);
    assertEquals(expected, outcomes.get(id), "outcomes: " + outcomes);
  }

  @ParameterizedTest(name = "group {0}: rows read = lines, = written + quarantined")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"c", "a", "m", "j", "k"})
  void everyValueLineIsOneRecordReadAndNothingIsLost(String g) {
    outcomes(g);
    IngestResult r = valueResults.get(g);
    assertEquals(List.of((long) VALUE_LINES.get(g).size(), r.rowsRead()), List.of(r.rowsRead(),
        r.rowsWritten() + r.rowsQuarantined()), g + ": " + r.summary());
  }

  static Arguments cli(String args, int exit, String firstErrLine) {
    return Arguments.of(args, exit, firstErrLine);
  }

  private TestStore cliProject;

  @ParameterizedTest(name = "{0} -> exit {1}: {2}")
  @MethodSource("commandLines")
  void commandLineCase(String args, int exit, String firstErrLine) throws Exception {
    if (cliProject == null) {
      cliProject = project("catalogue_cli").definition("g.yaml", BASE.formatted("- {name: s, type: String}",
          "source: {path: \"${raw_root}/g.csv\", format: csv}"))
          .write("bad-config", "offline:\n  rot: /x\ncatalog:\n  databse: y\n")
          .write("bad-db", "catalog:\n  database: \"tm`; drop table x\"\n");
    }
    List<String> argv = new ArrayList<>(Arrays.asList(args.split(" ")));
    for (int i = 0; i < argv.size(); i++) {
      if (argv.get(i).equals("--config")) {
        argv.set(i + 1, cliProject.path(argv.get(i + 1)).toString());
      }
    }
    if (!argv.contains("--config") && !argv.get(0).equals("bogus") && !args.startsWith("groups bogus")) {
      argv.addAll(List.of("--config", cliProject.path("tidemark.yaml").toString()));
    }
    if (!argv.get(0).equals("bogus") && !args.startsWith("groups bogus")) {
      argv.addAll(List.of("--definitions", cliProject.path("feature-definitions").toString()));
    }
    Run r = run(() -> TidemarkCli.runWith(cliProject.spark(), argv.toArray(String[]::new)));
    String expected = firstErrLine.replace("{defs}", cliProject.path("feature-definitions").toString())
        .replace("{dir}", cliProject.dir.toString()).replace("{db}", cliProject.database);
    assertEquals(exit + ": " + expected, r.exit() + ": " + firstLine(r.err()), r.err());
  }

  static Arguments job(String kind, String fileText, int exit, String expected) {
    return Arguments.of(kind, fileText, exit, expected);
  }

  private TestStore jobProject;
  private int jobCounter;

  private static final String P_ROWS = "id,t,v\n\"u\"\"quote\",2024-05-01T00:00:00Z,7\nplain,2024-05-01T00:00:00Z,8\n"
      + "\"two\nlines\",2024-05-01T00:00:00Z,9\n";

  private static final String P_GROUP = """
      name: p
      record_identifier: id
      event_time: t
      features:
        - {name: id, type: String}
        - {name: t, type: Timestamp}
        - {name: v, type: Integral}
      source: {path: "${raw_root}/p.csv", format: csv}
      """;

  @ParameterizedTest(name = "{0}: {1} -> exit {2}: {3}")
  @MethodSource("jobInputs")
  void jobInputCase(String kind, String fileText, int exit, String expected) throws Exception {
    int n = ++jobCounter;
    // group p, ingested once for the cases that only read it; a delete changes it, so it gets its own copy
    TestStore store;
    if (kind.equals("delete") || kind.equals("source") || kind.equals("same-content")) {
      store = jobProject("catalogue_job_" + n, !kind.equals("source"));
    } else {
      if (jobProject == null) {
        jobProject = jobProject("catalogue_jobs", true);
      }
      store = jobProject;
    }
    boolean json = "{json}".equals(fileText);
    Path file = store.path("input/" + n + "/file." + (json ? "json" : "csv"));
    if (fileText != null) {
      store.write("input/" + n + "/file." + (json ? "json" : "csv"), json ? "" : fileText);
    }
    String out = "out/" + n;
    List<String> spineArgs = List.of("training-set", "--spine", file.toString(), "--spine-time-column", "t",
        "--features", "p:v", "--output", store.path(out).toString());
    Run r;
    String outcome;
    switch (kind) {
      case "spine" -> {
        r = cli(store, spineArgs.toArray(String[]::new));
        outcome = r.exit() == 0 ? outputRows(store, out) : firstLine(r.err());
      }
      case "source" -> {
        r = cli(store, "ingest", "p", "--source", file.toString(), "--format", json ? "json" : "csv");
        outcome = firstLine(r.err());
      }
      case "same-content" -> {
        // the file is written after the ingest of raw/p.csv: another name and a later modification time
        r = cli(store, "ingest", "p", "--source", file.toString());
        outcome = r.out().lines().findFirst().orElse("").replace(store.database + ".", "DB.")
            .replaceAll("batch [0-9a-f]{12}", "batch ID");
      }
      case "delete" -> {
        r = cli(store, "delete", "p", "--source", file.toString());
        Path spine = store.path("input/spine.csv");
        store.write("input/spine.csv", "id,t\n\"u\"\"quote\",2024-06-01T00:00:00Z\n");
        List<String> after = new ArrayList<>(spineArgs);
        after.set(2, spine.toString());
        assertEquals(0, cli(store, after.toArray(String[]::new)).exit());
        outcome = r.out().lines().findFirst().orElse("").replaceFirst(" -> .*", "") + "; then "
            + outputRows(store, out);
      }
      case "csv-output" -> {
        List<String> csv = new ArrayList<>(spineArgs);
        csv.addAll(List.of("--output-format", "csv"));
        r = cli(store, csv.toArray(String[]::new));
        try (Stream<Path> parts = Files.list(store.path(out))) {
          outcome = parts.filter(p -> p.getFileName().toString().endsWith(".csv")).map(p -> {
            try {
              return Files.readString(p);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }).filter(t -> !t.isEmpty()).collect(Collectors.joining());
        }
      }
      default -> throw new IllegalArgumentException(kind);
    }
    assertEquals(exit + ": " + expected.replace("{file}", file.toString()), r.exit() + ": " + outcome, r.err());
  }

  /** The output's rows as [v1,v2,...], sorted; timestamps as UTC instants (a CSV spine's times are typed). */
  private static String outputRows(TestStore store, String out) {
    return String.join(" ", Rows.sorted(store.spark().read().parquet(store.path(out).toString())));
  }

  private static TestStore jobProject(String name, boolean ingest) throws Exception {
    TestStore store = project(name).definition("p.yaml", P_GROUP).write("raw/p.csv", P_ROWS);
    if (ingest) {
      Run r = cli(store, "ingest", "p");
      assertEquals(0, r.exit(), r.err());
    }
    return store;
  }

  /** The first line of stderr that is not a progress line ("2024-05-01T12:00:00Z tidemark: ingest p ..."). */
  private static String firstLine(String text) {
    return text.lines().filter(l -> !l.matches("^\\d{4}-\\d{2}-\\d{2}T\\S+Z tidemark: .*")).findFirst().orElse("");
  }

  static Arguments transform(String sql, String expected) {
    return Arguments.of(sql, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("transforms")
  void transformCase(String sql, String expected) {
    TestStore store = new TestStore("catalogue_sql").write("sql/t.sql", sql);
    io.tidemark.transform.TransformException e = org.junit.jupiter.api.Assertions.assertThrows(
        io.tidemark.transform.TransformException.class,
        () -> io.tidemark.transform.SqlTransform.load(store.spark(), store.path("sql/t.sql")));
    assertEquals("transform " + store.path("sql/t.sql") + ": " + expected, e.getMessage());
  }

  /**
   * Another process holds $TIDEMARK_HOME (the test JVM's, jobs/target/test-home): a CLI run that would start its own
   * Spark fails at once with exit 1 and the holder's pid, before any Derby access; once the holder is gone (the OS
   * releases the lock when a process ends) the home is free again. catalog.lock_wait waits a bounded time first.
   */
  @Test
  void twoProcessesOnOneHome() throws Exception {
    Path home = io.tidemark.config.TidemarkConfig.home(System.getenv());
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), io.tidemark.testing.HomeLockHolder.class.getName(), home.toString())
        .redirectErrorStream(true).start();
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(),
          StandardCharsets.UTF_8));
      assertEquals("locked", out.readLine());
      String busy = "another Tidemark process (pid " + holder.pid() + " since ";
      TestStore store = project("catalogue_lock").definition("p.yaml", P_GROUP);
      // no session given: the CLI would start its own, so it takes the home's lock first
      Run r = run(() -> TidemarkCli.run("ingest", "p", "--config", store.path("tidemark.yaml").toString(),
          "--definitions", store.path("feature-definitions").toString()));
      String err = firstLine(r.err());
      assertEquals("1: tidemark: " + busy, r.exit() + ": " + err.substring(0, Math.min(err.length(),
          ("tidemark: " + busy).length())), r.err());
      assertEquals(true, err.endsWith(") is using " + home + ", whose embedded metastore serves one process at a "
          + "time; wait for it to finish and run this again, set catalog.lock_wait (e.g. 10m) to wait for it, or use "
          + "another TIDEMARK_HOME"), err);
      assertEquals(false, r.err().contains("XSDB6"), r.err());

      List<String> progress = new ArrayList<>();
      IllegalStateException waited = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> io.tidemark.runtime.HomeLock.acquire(home, java.time.Duration.ofMillis(300), progress::add));
      assertEquals(true, waited.getMessage().startsWith(busy), waited.getMessage());
      assertEquals(1, progress.size());
      assertEquals(true, progress.get(0).endsWith(") is using " + home + "; waiting up to 300ms for it"),
          progress.get(0));
    } finally {
      holder.getOutputStream().close();
      holder.waitFor();
    }
    try (io.tidemark.runtime.HomeLock free = io.tidemark.runtime.HomeLock.acquire(home, java.time.Duration.ZERO,
        m -> { })) {
      assertEquals(true, Files.readString(home.resolve("tidemark.lock")).startsWith("pid "
          + ProcessHandle.current().pid() + " since "));
    }
  }

  // ---- CLI plumbing ----

  static Run cli(TestStore store, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", store.path("tidemark.yaml").toString(), "--definitions",
        store.path("feature-definitions").toString()));
    return run(() -> TidemarkCli.runWith(store.spark(), all.toArray(String[]::new)));
  }
}
