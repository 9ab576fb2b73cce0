package io.tidemark.sagemaker;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.SageMakerOrigin;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.sagemaker.OfflineStoreLocator.Located;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;

/**
 * How a SageMaker offline store's columns become a group's: each feature selected by its SageMaker name as its
 * Tidemark name (a narrower number widened), then SageMaker's metadata columns, timestamps as UTC instants.
 *
 * @param columns the features in definition order, then write_time, api_invocation_time and is_deleted
 * @param ignored columns of the files that are no feature of the group, not read
 * @param absentCollections collection features (SageMaker names) the files have no column for, read as null
 */
record OfflineStoreColumns(List<Column> columns, List<String> ignored, List<String> absentCollections) {
  /**
   * Selects each feature by its SageMaker name as its Tidemark name and the metadata columns, after checking that
   * each is there with a type SageMaker writes for that feature; lists every problem at once.
   *
   * @throws IllegalArgumentException listing every feature or metadata column missing or of a wrong type
   */
  static OfflineStoreColumns of(FeatureGroup group, StructType schema, String location, Located found) {
    Map<String, StructField> byName = new LinkedHashMap<>();
    for (StructField f : schema.fields()) {
      byName.put(f.name(), f);
    }
    Optional<SageMakerOrigin> origin = group.sagemaker();
    List<String> problems = new ArrayList<>();
    List<Column> columns = new ArrayList<>();
    List<String> used = new ArrayList<>();
    List<String> absent = new ArrayList<>();
    for (FeatureDefinition f : group.features()) {
      String stored = origin.map(o -> o.featureName(f.name())).orElse(f.name());
      String what = "feature '" + f.name() + "'" + (stored.equals(f.name()) ? "" : " (SageMaker '" + stored + "')");
      List<DataType> accepted = storedTypes(f, group);
      if (f.collection().isPresent() && !byName.containsKey(stored)) {
        // SageMaker keeps collections on its online tier only: its offline store has no column for them
        columns.add(lit(null).cast(f.sparkType()).as(f.name()));
        absent.add(stored);
        continue;
      }
      columns.add(column(byName.get(stored), what, accepted, problems).as(f.name()));
      used.add(stored);
    }
    for (String m : List.of(MetadataColumns.WRITE_TIME, MetadataColumns.API_INVOCATION_TIME)) {
      StructField field = byName.get(m);
      Column c = column(field, "metadata column '" + m + "'",
          List.of(DataTypes.TimestampType, DataTypes.TimestampNTZType), problems);
      columns.add((field != null && field.dataType() instanceof TimestampNTZType ? utc(c) : c).as(m));
      used.add(m);
    }
    columns.add(column(byName.get(MetadataColumns.IS_DELETED), "metadata column '" + MetadataColumns.IS_DELETED + "'",
        List.of(DataTypes.BooleanType), problems).as(MetadataColumns.IS_DELETED));
    used.add(MetadataColumns.IS_DELETED);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("SageMaker offline store '" + location + "' (" + found.layout().cliName() + ", "
          + found.source() + ") does not hold group " + group.name() + " as defined"
          + Optional.ofNullable(group.file()).map(f -> " in " + f).orElse("") + " ("
          + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n"
          + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"))
          + "\n  columns in the files: " + Arrays.stream(schema.fields())
              .map(f -> f.name() + " " + f.dataType().simpleString()).collect(Collectors.joining(", ")));
    }
    List<String> ignored = byName.keySet().stream().filter(n -> !used.contains(n)).toList();
    return new OfflineStoreColumns(columns, ignored, absent);
  }

  /**
   * The column, widened to the first accepted type when it is stored as a narrower number; null (and a problem)
   * when it is missing or of another type.
   */
  private static Column column(StructField field, String what, List<DataType> accepted, List<String> problems) {
    if (field == null) {
      problems.add(what + ": no such column");
      return lit(null);
    }
    Column c = col("`" + field.name().replace("`", "``") + "`");
    DataType t = field.dataType();
    if (accepted.contains(t)) {
      return c;
    }
    DataType wide = accepted.get(0);
    boolean widens = (wide.equals(DataTypes.LongType) && (t.equals(DataTypes.IntegerType)
        || t.equals(DataTypes.ShortType) || t.equals(DataTypes.ByteType)))
        || (wide.equals(DataTypes.DoubleType) && t.equals(DataTypes.FloatType));
    if (widens) {
      return c.cast(wide);
    }
    problems.add(what + ": stored as " + t.simpleString() + ", expected " + accepted.stream()
        .map(DataType::simpleString).collect(Collectors.joining(" or ")));
    return lit(null);
  }

  /**
   * The types SageMaker stores a feature of this Tidemark type as: its own for String, Integral and Fractional; the
   * event time as SageMaker's String (ISO-8601) or Fractional (epoch seconds); Tidemark's Boolean as Integral (0/1,
   * how export-sagemaker declares it) or boolean, another Timestamp as String.
   */
  private static List<DataType> storedTypes(FeatureDefinition f, FeatureGroup group) {
    if (f.name().equals(group.eventTime())) {
      return List.of(DataTypes.DoubleType, DataTypes.StringType);
    }
    if (f.isCollection()) {
      // an array of the element type, or its JSON text; ingest validates either
      return List.of(f.sparkType(), DataTypes.StringType);
    }
    FeatureType type = f.type();
    return switch (type) {
      case STRING -> List.of(DataTypes.StringType);
      case INTEGRAL -> List.of(DataTypes.LongType);
      case FRACTIONAL -> List.of(DataTypes.DoubleType);
      case BOOLEAN -> List.of(DataTypes.LongType, DataTypes.BooleanType);
      case TIMESTAMP -> List.of(DataTypes.StringType);
    };
  }

  /** A timestamp without zone (Iceberg's {@code timestamp}) as the UTC instant it writes, whatever the session zone. */
  private static Column utc(Column ntz) {
    return concat(ntz.cast(DataTypes.StringType), lit("Z")).cast(DataTypes.TimestampType);
  }
}
