package io.tidemark.transform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.parser.ParseException;

/**
 * A transform is one SQL query in a file under {@code sql/}. It reads its input through placeholders:
 * {@code {{input}}} for a group's single source, or {@code {{name}}} for each named source. Each placeholder is
 * replaced by a temporary view of that input, so the file stays plain SQL.
 */
public final class SqlTransform {
  public static final String INPUT = "input";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-z][a-z0-9_]*)\\s*}}");

  private final Path file;
  private final String sql;
  private final Set<String> placeholders;

  private SqlTransform(Path file, String sql, Set<String> placeholders) {
    this.file = file;
    this.sql = sql;
    this.placeholders = placeholders;
  }

  /**
   * Reads and checks a transform before any data is read: the file exists, is not empty, uses at least one
   * placeholder and parses as SQL.
   */
  public static SqlTransform load(SparkSession spark, Path file) {
    if (!Files.isRegularFile(file)) {
      throw new TransformException(file, "the transform file does not exist", "create it or fix the path");
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read transform " + file, e);
    }
    String sql = text.strip().replaceAll(";\\s*$", "");
    if (sql.replaceAll("(?m)--.*$", "").isBlank()) {
      throw new TransformException(file, "the transform is empty", "write one SELECT that reads {{input}}");
    }
    Set<String> placeholders = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(sql);
    while (m.find()) {
      placeholders.add(m.group(1));
    }
    if (placeholders.isEmpty()) {
      throw new TransformException(file, "the transform never reads its input",
          "use {{input}} where the source table goes, e.g. SELECT ... FROM {{input}}");
    }
    String probe = PLACEHOLDER.matcher(sql).replaceAll("tidemark_placeholder");
    try {
      spark.sessionState().sqlParser().parsePlan(probe);
    } catch (ParseException e) {
      String where = e.line().isDefined() ? " at line " + e.line().get() : "";
      throw new TransformException(file, "the SQL does not parse" + where + ": " + e.getMessage().lines().findFirst()
          .orElse(""), "fix the SQL syntax");
    }
    return new SqlTransform(file, sql, placeholders);
  }

  public Path file() {
    return file;
  }

  public Set<String> placeholders() {
    return placeholders;
  }

  /** Runs the transform on a single input bound to {@code {{input}}}. */
  public Dataset<Row> apply(SparkSession spark, Dataset<Row> input) {
    return apply(spark, Map.of(INPUT, input));
  }

  /** Runs the transform with each {@code {{name}}} bound to {@code inputs.get(name)}. */
  public Dataset<Row> apply(SparkSession spark, Map<String, Dataset<Row>> inputs) {
    for (String p : placeholders) {
      if (!inputs.containsKey(p)) {
        throw new TransformException(file, "the transform reads {{" + p + "}} but no such input is given",
            "available inputs: " + String.join(", ", inputs.keySet()));
      }
    }
    String suffix = UUID.randomUUID().toString().replace("-", "");
    Matcher m = PLACEHOLDER.matcher(sql);
    StringBuilder bound = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(bound, "tidemark_" + m.group(1) + "_" + suffix);
    }
    m.appendTail(bound);
    for (String p : placeholders) {
      inputs.get(p).createOrReplaceTempView("tidemark_" + p + "_" + suffix);
    }
    try {
      // analysis is eager: the returned plan no longer needs the views
      return spark.sql(bound.toString());
    } catch (Exception e) {
      throw new TransformException(file, "the SQL fails on its input: "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
              .replaceAll("tidemark_([a-z0-9_]+)_" + suffix, "{{$1}}"),
          "check column and table names against the source");
    } finally {
      placeholders.forEach(p -> spark.catalog().dropTempView("tidemark_" + p + "_" + suffix));
    }
  }
}
