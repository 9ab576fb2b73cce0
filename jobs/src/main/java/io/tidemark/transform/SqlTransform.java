package io.tidemark.transform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
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
    // each placeholder becomes an identifier of the same length, so the parser's positions are the file's
    Matcher p = PLACEHOLDER.matcher(sql);
    StringBuilder probe = new StringBuilder();
    Map<String, String> stands = new java.util.HashMap<>();
    while (p.find()) {
      String identifier = "t" + "_".repeat(p.group().length() - 1);
      stands.putIfAbsent(identifier, p.group());
      p.appendReplacement(probe, identifier);
    }
    p.appendTail(probe);
    try {
      spark.sessionState().sqlParser().parsePlan(probe.toString());
    } catch (ParseException e) {
      String problem = parseProblem(e, text, sql);
      for (Map.Entry<String, String> x : stands.entrySet()) {
        problem = problem.replace("'" + x.getKey() + "'", "'" + x.getValue() + "'");
      }
      throw new TransformException(file, problem, "fix the SQL syntax");
    }
    return new SqlTransform(file, sql, placeholders);
  }

  /**
   * "the SQL does not parse at line 2, column 10: Syntax error at or near 'FORM' in: SELECT a FORM {{input}}": the
   * parser's own detail, its position in the file (lines count from the file's first line, columns from 1), and
   * the line.
   */
  private static String parseProblem(ParseException e, String text, String sql) {
    String detail = String.valueOf(e.getMessage()).lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst()
        .orElse("").replaceFirst("^\\[[A-Z_.]+] ", "").replaceFirst("\\(line \\d+, pos \\d+\\)$", "")
        .replaceFirst("\\.$", "").strip();
    if (!e.line().isDefined()) {
      return "the SQL does not parse: " + detail;
    }
    int lineInSql = (Integer) e.line().get();
    String leading = text.substring(0, text.length() - text.stripLeading().length());
    int line = lineInSql + (int) leading.chars().filter(c -> c == '\n').count();
    int column = e.startPosition().isDefined() ? (Integer) e.startPosition().get() + 1 : 0;
    if (lineInSql == 1 && column > 0) {
      column += leading.length() - (leading.lastIndexOf('\n') + 1);
    }
    List<String> lines = sql.lines().toList();
    String code = lineInSql >= 1 && lineInSql <= lines.size() ? lines.get(lineInSql - 1).strip() : "";
    return "the SQL does not parse at line " + line + (column > 0 ? ", column " + column : "") + ": " + detail
        + (code.isEmpty() ? "" : " in: " + code);
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
