package io.tidemark.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Why a row was rejected, as data: each entry is a struct of the {@link Constraint} it broke (kind and column), its
 * {@code label} (the message without the offending value: what reasons are counted by) and the {@code message} the
 * quarantine stores ({@code "age: not an Integral: 'abc'"}).
 */
final class Reasons {
  private static final String ARRAY_TYPE =
      "array<struct<constraint:string,column:string,label:string,message:string>>";

  /** A batch's count of one kind of reason: the constraint broken and the label it counts under. */
  record Key(String constraint, String column, String label) {}

  private Reasons() {}

  private static Column entry(Constraint c, Column label, Column message) {
    return struct(lit(c.kind()).as("constraint"), lit(c.column()).as("column"), label.as("label"),
        message.as("message"));
  }

  /** A reason without an offending value: its label is its message. */
  static Column plain(Constraint c, Column text) {
    return entry(c, text, text);
  }

  /** "age: not an Integral: 'abc'" (the value cut to 100 characters), counted as "age: not an Integral". */
  static Column rejected(Constraint c, String problem, Column shown) {
    String label = c.column() + ": " + problem;
    return entry(c, lit(label), concat(lit(label + ": '"), substring(shown.cast("string"), 1, 100), lit("'")));
  }

  /** As {@link #rejected(Constraint, String, Column)}, with a problem computed per row ("a vector of 3 elements"). */
  static Column rejected(Constraint c, Column problem, Column shown) {
    Column label = concat(lit(c.column() + ": "), problem);
    return entry(c, label, concat(label, lit(": '"), substring(shown.cast("string"), 1, 100), lit("'")));
  }

  /** The reasons of a row (each null where it passes) as an array of the entries present. */
  static Column array(List<Column> reasons) {
    return present(reasons, ARRAY_TYPE, r -> r.getField("message").isNotNull());
  }

  /**
   * The {@code items} that pass {@code keep}, as an array. A row with none (every item null) is told apart by a
   * coalesce, which Spark compiles; only a row with some pays for building and filtering the array (a lambda,
   * interpreted).
   */
  static Column present(List<Column> items, String arrayType, Function<Column, Column> keep) {
    Column empty = functions.array().cast(arrayType);
    if (items.isEmpty()) {
      return empty;
    }
    Column any = functions.coalesce(items.toArray(Column[]::new)).isNotNull();
    return when(any, functions.filter(functions.array(items.toArray(Column[]::new)), keep::apply)).otherwise(empty);
  }

  /** The messages of a reasons array, as the quarantine stores them. */
  static Column messages(Column reasons) {
    return functions.transform(reasons, r -> r.getField("message"));
  }

  /** How many times each reason occurs in {@code rows}' reasons {@code column} (one Spark job). */
  static Map<Key, Long> count(Dataset<Row> rows, String column) {
    Map<Key, Long> out = new java.util.LinkedHashMap<>();
    rows.where(size(col(column)).gt(0))
        .select(explode(col(column)).as("reason"))
        .groupBy(col("reason.constraint"), col("reason.column"), col("reason.label")).count().collectAsList()
        .forEach(r -> out.put(new Key(r.getString(0), r.getString(1), r.getString(2)), r.getLong(3)));
    return out;
  }

  /** The counts by label, as the batch result and its data-quality record show them. */
  static Map<String, Long> byLabel(Map<Key, Long> counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, n) -> out.merge(k.label(), n, Long::sum));
    return out;
  }
}
