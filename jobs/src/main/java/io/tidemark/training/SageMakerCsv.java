package io.tidemark.training;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;

import io.tidemark.definitions.FeatureCollection;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.util.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;

/**
 * What SageMaker's built-in algorithms (XGBoost, Linear Learner) read from CSV: no header, the label first, then
 * numbers only. Booleans become 1/0; timestamps epoch milliseconds; a String feature becomes its index in the
 * feature's values ordered by frequency (most frequent 0; ties alphabetically), with an unseen value or null as
 * the next index, so inference encodes alike from the manifest's {@code encodings}. A text label is true/false
 * (1/0) or, for classes, its index in the sorted class names. A missing number is written {@code NaN}, which
 * parses as a float everywhere and which XGBoost takes as a missing value (Linear Learner needs every value: fill
 * them upstream). A vector feature becomes {@code dimension} numeric columns ({@code <name>_0 ...}, listed in
 * the manifest's columns); lists and sets are refused.
 *
 * <p>The indexing is a Spark SQL expression rather than MLlib's StringIndexer: spark-mllib for Scala 2.13 / Spark
 * 4.0.2 (the EMR 8 build) is not on Maven Central here.
 */
final class SageMakerCsv {
  /** The shaped rows, and for each encoded column its values in index order. */
  record Shaped(Dataset<Row> rows, Map<String, List<String>> encodings) {}

  private SageMakerCsv() {}

  /**
   * @param collections the collection features among {@code features}, by output column: a vector becomes
   *     {@code dimension} columns {@code <name>_0 .. <name>_<dimension-1>}; a list or set is refused
   */
  static Shaped shape(Dataset<Row> rows, String label, List<String> features,
      Map<String, FeatureDefinition> collections) {
    Map<String, List<String>> encodings = new LinkedHashMap<>();
    List<Column> cols = new ArrayList<>();
    cols.add(numeric(rows, label, true, encodings));
    for (String f : features) {
      FeatureDefinition d = collections.get(f);
      if (d == null) {
        cols.add(numeric(rows, f, false, encodings));
        continue;
      }
      FeatureCollection c = d.collection().orElseThrow();
      if (c.kind() != FeatureCollection.Kind.VECTOR) {
        throw new io.tidemark.BadRequestException("sagemaker-csv holds one number per column, and feature '" + f
            + "' is a " + d.typeName() + " of any length; leave it out of --features, or write this training set "
            + "as parquet, delta or csv (a JSON array per cell)");
      }
      // a vector has exactly dimension elements (ingest checks it); a null vector is NaN in every column
      for (int i = 0; i < c.dimension(); i++) {
        cols.add(functions.expr("try_element_at(" + Sql.quote(f) + ", " + (i + 1) + ")").as(f + "_" + i));
      }
    }
    return new Shaped(rows.select(cols.toArray(Column[]::new)), encodings);
  }

  private static Column numeric(Dataset<Row> rows, String name, boolean isLabel,
      Map<String, List<String>> encodings) {
    DataType type = rows.schema().apply(name).dataType();
    Column c = col(Sql.quote(name));
    if (type.equals(DataTypes.BooleanType)) {
      return c.cast(DataTypes.IntegerType).as(name);
    }
    if (type.equals(DataTypes.TimestampType)) {
      return unix_millis(c).as(name);
    }
    if (type instanceof NumericType) {
      return c;
    }
    if (!type.equals(DataTypes.StringType)) {
      throw new IllegalArgumentException("sagemaker-csv takes numbers, booleans, timestamps and text; column '"
          + name + "' is " + type.simpleString() + "; write this training set as parquet or csv");
    }
    if (isLabel) {
      Column v = lower(trim(c));
      List<String> values = rows.select(v.as("v")).where(col("v").isNotNull()).distinct().orderBy("v")
          .collectAsList().stream().map(r -> r.getString(0)).toList();
      if (List.of("false", "true").containsAll(values)) {
        return when(v.equalTo("true"), 1).when(v.equalTo("false"), 0).as(name);
      }
      List<String> classes = rows.select(c.as("v")).where(col("v").isNotNull()).distinct().orderBy("v")
          .collectAsList().stream().map(r -> r.getString(0)).toList();
      encodings.put(name, classes);
      return index(c, classes).as(name);
    }
    List<String> values = rows.groupBy(c.as("v")).count().where(col("v").isNotNull())
        .orderBy(desc("count"), col("v")).collectAsList().stream().map(r -> r.getString(0)).toList();
    encodings.put(name, values);
    return index(c, values).as(name);
  }

  /** The value's 0-based position in {@code values}; values.size() for an unseen value or null. */
  private static Column index(Column c, List<String> values) {
    if (values.isEmpty()) {
      return lit(0).cast(DataTypes.IntegerType);
    }
    Column position = array_position(array(values.stream().map(functions::lit).toArray(Column[]::new)), c);
    return when(c.isNull().or(position.equalTo(0)), lit(values.size())).otherwise(position.minus(1))
        .cast(DataTypes.IntegerType);
  }
}
