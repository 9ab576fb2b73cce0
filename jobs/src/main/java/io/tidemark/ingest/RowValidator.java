package io.tidemark.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.ValidationRule;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.source.SourceReader;
import io.tidemark.util.Sql;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Casts raw rows to a {@link RowSchema}'s types and says, per row, what is wrong with it: every {@link Constraint} of
 * every column, evaluated as Spark expressions (no UDFs, one pass).
 *
 * <p>The result has the schema's columns (typed, in order), in {@link Mode#HISTORY} the history's metadata columns,
 * {@link #REASONS} (the {@link Reasons} entries, empty for a valid row), {@link #WARNINGS} and {@link #RAW_ROW} (the
 * input row as JSON, for the quarantine).
 */
public final class RowValidator {
  public static final String REASONS = "_tm_reasons";
  public static final String RAW_ROW = "_tm_raw_row";
  /** Broken {@code warn} rules of a row that is kept (counted in the batch's data-quality record). */
  public static final String WARNINGS = "_tm_warnings";

  /**
   * What a batch holds: feature records, tombstones (record id + event time only), or history that carries its own
   * {@code write_time}, {@code api_invocation_time} and {@code is_deleted} (another store's offline rows: records and
   * tombstones mixed; a tombstone's features are not checked and become null).
   */
  public enum Mode { RECORDS, TOMBSTONES, HISTORY }

  /** History's own metadata, passed through and required: a row without it cannot be placed in time. */
  private static final List<String> HISTORY_METADATA = List.of(MetadataColumns.WRITE_TIME,
      MetadataColumns.API_INVOCATION_TIME, MetadataColumns.IS_DELETED);

  private RowValidator() {}

  static Dataset<Row> validate(Dataset<Row> input, RowSchema schema, Mode mode) {
    List<String> inputColumns = Arrays.asList(input.columns());
    List<Column> values = new ArrayList<>();
    List<Column> reasons = new ArrayList<>();
    List<Column> warnings = new ArrayList<>();
    // in history, only a record's features are checked: a tombstone carries its id and event time alone
    Column isRecord = mode == Mode.HISTORY ? functions.not(functions.coalesce(col(MetadataColumns.IS_DELETED),
        lit(false))) : lit(mode == Mode.RECORDS);
    if (inputColumns.contains(SourceReader.CORRUPT_RECORD)) {
      new Constraint.WellFormed(SourceReader.CORRUPT_RECORD)
          .failure(TypedColumns.Typed.of(col(SourceReader.CORRUPT_RECORD))).ifPresent(reasons::add);
    }
    for (FeatureDefinition f : schema.columns()) {
      boolean key = schema.isKey(f);
      if (mode == Mode.TOMBSTONES && !key) {
        values.add(lit(null).cast(f.sparkType()).as(f.name()));
        continue;
      }
      StructField field = findColumn(input, f, schema);
      TypedColumns.Typed c = TypedColumns.convert(Sql.quote(field.name()), field.dataType(), f, schema);
      boolean historyFeature = mode == Mode.HISTORY && !key;
      values.add((historyFeature ? when(isRecord, c.value()) : c.value()).as(f.name()));
      for (Constraint constraint : schema.constraints(f, mode != Mode.TOMBSTONES)) {
        if (constraint instanceof Constraint.Rule rule && rule.level() == ValidationRule.Level.WARN) {
          warnings.add(when(isRecord.and(rule.broken(c)), lit(rule.warning())));
          continue;
        }
        constraint.failure(c).ifPresent(r -> reasons.add(historyFeature ? when(isRecord, r) : r));
      }
    }
    if (mode == Mode.HISTORY) {
      for (String m : HISTORY_METADATA) {
        requireHistoryColumn(input, schema, m);
        values.add(col(m));
        new Constraint.HistoryMetadata(m).failure(TypedColumns.Typed.of(col(m))).ifPresent(reasons::add);
      }
    }
    Column reasonArray = Reasons.array(reasons);
    values.add(reasonArray.as(REASONS));
    values.add(Reasons.present(warnings, "array<string>", Column::isNotNull).as(WARNINGS));
    List<Column> rawColumns = inputColumns.stream().map(n -> col(Sql.quote(n))).toList();
    // only a rejected row needs its input as JSON (for the quarantine): a valid one skips the cost
    values.add(when(functions.size(reasonArray).gt(0), to_json(struct(rawColumns.toArray(Column[]::new))))
        .as(RAW_ROW));
    return input.select(values.toArray(Column[]::new));
  }

  private static void requireHistoryColumn(Dataset<Row> input, RowSchema schema, String m) {
    StructField field = Arrays.stream(input.schema().fields()).filter(x -> x.name().equals(m)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("history rows of group '" + schema.group() + "' have no "
            + "column '" + m + "' (columns: " + String.join(", ", input.columns()) + ")"));
    DataType expected = m.equals(MetadataColumns.IS_DELETED) ? DataTypes.BooleanType : DataTypes.TimestampType;
    if (!field.dataType().equals(expected)) {
      throw new IllegalArgumentException("history rows of group '" + schema.group() + "': column '" + m + "' is "
          + field.dataType().simpleString() + ", expected " + expected.simpleString());
    }
  }

  private static StructField findColumn(Dataset<Row> input, FeatureDefinition f, RowSchema schema) {
    StructField[] fields = input.schema().fields();
    Optional<StructField> exact = Arrays.stream(fields).filter(x -> x.name().equals(f.name())).findFirst();
    return exact.or(() -> Arrays.stream(fields).filter(x -> x.name().equalsIgnoreCase(f.name())).findFirst())
        .orElseThrow(() -> new IllegalArgumentException("the input of group '" + schema.group() + "' has no column '"
            + f.name() + "' for feature " + schema.group() + "." + f.name() + " (columns: "
            + String.join(", ", Arrays.stream(input.columns()).filter(c -> !c.equals(SourceReader.CORRUPT_RECORD))
                .toList()) + "); rename it in the source, or map it in the group's transform"));
  }
}
