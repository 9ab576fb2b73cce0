package io.tidemark.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.tidemark.definitions.EventTimeFormat;
import io.tidemark.definitions.EventTimeRange;
import io.tidemark.definitions.FeatureCollection;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.ValidationRule;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.source.SourceReader;
import io.tidemark.util.Sql;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Casts raw rows to a group's feature types and says, per row, what is wrong with it.
 *
 * <p>The result has the group's features (typed, in definition order), in {@link Mode#HISTORY} the history's
 * metadata columns, {@link #REASONS} (empty for a valid row) and {@link #RAW_ROW} (the input row as JSON, for the quarantine). Everything is Spark expressions: no UDFs, one
 * pass. Casts use {@code try_cast} so the same code works with ANSI mode on (Spark 4's default).
 */
public final class RowValidator {
  public static final String REASONS = "_tm_reasons";
  public static final String RAW_ROW = "_tm_raw_row";
  /** Broken {@code warn} rules of a row that is kept (counted in the batch's data-quality record). */
  public static final String WARNINGS = "_tm_warnings";

  private static final String ISO_WITH_ZONE =
      "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}(:?\\d{2})?)$";
  private static final String ISO_WITHOUT_ZONE = "^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?)?$";
  private static final String EPOCH_NUMBER = "^[+-]?\\d+(\\.\\d+)?([eE][+-]?\\d+)?$";
  private static final String INTEGER = "^[+-]?\\d+$";
  private static final String DECIMAL = "^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$";
  private static final String NON_FINITE = "^[+-]?(nan|inf|infinity)$";

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

  public static Dataset<Row> validate(Dataset<Row> input, FeatureGroup group, Mode mode) {
    List<String> inputColumns = Arrays.asList(input.columns());
    List<Column> values = new ArrayList<>();
    List<Column> reasons = new ArrayList<>();
    List<Column> warnings = new ArrayList<>();
    // in history, only a record's features are checked: a tombstone carries its id and event time alone
    Column isRecord = mode == Mode.HISTORY ? functions.not(functions.coalesce(col(MetadataColumns.IS_DELETED),
        lit(false))) : lit(mode == Mode.RECORDS);
    if (inputColumns.contains(SourceReader.CORRUPT_RECORD)) {
      reasons.add(when(col(SourceReader.CORRUPT_RECORD).isNotNull(), lit("malformed record: the line could not be parsed")));
    }
    for (FeatureDefinition f : group.features()) {
      boolean key = f.name().equals(group.recordIdentifier()) || f.name().equals(group.eventTime());
      if (mode == Mode.TOMBSTONES && !key) {
        values.add(lit(null).cast(f.sparkType()).as(f.name()));
        continue;
      }
      StructField field = findColumn(input, f, group);
      Converted c = convert(Sql.quote(field.name()), field.dataType(), f, group);
      boolean historyFeature = mode == Mode.HISTORY && !key;
      values.add((historyFeature ? when(isRecord, c.value) : c.value).as(f.name()));
      List<Column> featureReasons = new ArrayList<>();
      c.reason.ifPresent(featureReasons::add);
      Column missing = c.value.isNull().and(c.raw.isNull());
      if (!f.nullable()) {
        String what = f.name().equals(group.recordIdentifier()) ? "record identifier" : f.name().equals(group.eventTime())
            ? "event time" : "non-nullable feature";
        featureReasons.add(when(missing, lit(f.name() + ": missing " + what)));
      }
      if (f.name().equals(group.recordIdentifier()) && f.type() == FeatureType.STRING) {
        featureReasons.add(when(trim(c.value).equalTo(""), lit(f.name() + ": blank record identifier")));
      }
      if (mode != Mode.TOMBSTONES) {
        for (ValidationRule rule : f.rules()) {
          Column broken = broken(rule, c);
          if (rule.level() == ValidationRule.Level.ERROR) {
            featureReasons.add(when(broken, rejected(f.name(), "rule " + rule.describe() + " failed", c.value)));
          } else {
            warnings.add(when(isRecord.and(broken), lit(warning(f, rule))));
          }
        }
      }
      featureReasons.forEach(r -> reasons.add(historyFeature ? when(isRecord, r) : r));
    }
    if (mode == Mode.HISTORY) {
      for (String m : HISTORY_METADATA) {
        StructField field = Arrays.stream(input.schema().fields()).filter(x -> x.name().equals(m)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("history rows of group '" + group.name() + "' have no "
                + "column '" + m + "' (columns: " + String.join(", ", inputColumns) + ")"));
        DataType expected = m.equals(MetadataColumns.IS_DELETED) ? DataTypes.BooleanType : DataTypes.TimestampType;
        if (!field.dataType().equals(expected)) {
          throw new IllegalArgumentException("history rows of group '" + group.name() + "': column '" + m + "' is "
              + field.dataType().simpleString() + ", expected " + expected.simpleString());
        }
        values.add(col(m));
        reasons.add(when(col(m).isNull(), lit(m + ": missing (history rows carry their own " + m + ")")));
      }
    }
    Column reasonArray = messages(reasons);
    values.add(reasonArray.as(REASONS));
    values.add(messages(warnings).as(WARNINGS));
    List<Column> rawColumns = inputColumns.stream().map(n -> col(Sql.quote(n))).toList();
    // only a rejected row needs its input as JSON (for the quarantine): a valid one skips the cost
    values.add(when(functions.size(reasonArray).gt(0), to_json(struct(rawColumns.toArray(Column[]::new))))
        .as(RAW_ROW));
    return input.select(values.toArray(Column[]::new));
  }

  /**
   * The non-null messages as an array. A valid row (every message null) is told apart by a coalesce, which Spark
   * compiles; only a row with a problem pays for building and filtering the array (a lambda, interpreted).
   */
  private static Column messages(List<Column> messages) {
    Column empty = array().cast("array<string>");
    if (messages.isEmpty()) {
      return empty;
    }
    Column any = functions.coalesce(messages.toArray(Column[]::new)).isNotNull();
    return when(any, functions.filter(array(messages.toArray(Column[]::new)), Column::isNotNull)).otherwise(empty);
  }

  /** The message of each {@code warn} rule of the group, as rows carry it in {@link #WARNINGS}. */
  static List<String> warningMessages(FeatureGroup group) {
    List<String> out = new ArrayList<>();
    group.features().forEach(f -> f.rules().stream().filter(r -> r.level() == ValidationRule.Level.WARN)
        .forEach(r -> out.add(warning(f, r))));
    return out.stream().distinct().toList();
  }

  private static String warning(FeatureDefinition f, ValidationRule rule) {
    return f.name() + ": rule " + rule.describe() + " (warn)";
  }

  private static StructField findColumn(Dataset<Row> input, FeatureDefinition f, FeatureGroup group) {
    StructField[] fields = input.schema().fields();
    Optional<StructField> exact = Arrays.stream(fields).filter(x -> x.name().equals(f.name())).findFirst();
    return exact.or(() -> Arrays.stream(fields).filter(x -> x.name().equalsIgnoreCase(f.name())).findFirst())
        .orElseThrow(() -> new IllegalArgumentException("the input of group '" + group.name() + "' has no column '"
            + f.name() + "' for feature " + group.name() + "." + f.name() + " (columns: "
            + String.join(", ", Arrays.stream(input.columns()).filter(c -> !c.equals(SourceReader.CORRUPT_RECORD))
                .toList()) + "); rename it in the source, or map it in the group's transform"));
  }

  /** True where the typed value breaks the rule; null values break only not_null. */
  private static Column broken(ValidationRule rule, Converted c) {
    Column v = c.value;
    Column result = switch (rule.kind()) {
      case NOT_NULL -> v.isNull().and(c.raw.isNull());
      case RANGE -> rule.min().map(m -> v.lt(m)).orElse(lit(false))
          .or(rule.max().map(m -> v.gt(m)).orElse(lit(false)));
      case ALLOWED_VALUES -> functions.not(v.cast("string").isin(rule.allowedValues().toArray()));
      case REGEX -> functions.not(v.rlike(rule.regex().orElseThrow()));
      case MAX_LENGTH -> functions.length(v).gt(rule.maxLength().orElseThrow());
    };
    return rule.kind() == ValidationRule.Kind.NOT_NULL ? result : v.isNotNull().and(result);
  }

  /** A typed value, the raw value it came from, and a reason when the raw value does not fit the type. */
  private record Converted(Column value, Column raw, Optional<Column> reason) {}

  /** @param rawSql the input column as SQL text (a quoted name), so that try_cast can be written in SQL */
  private static Converted convert(String rawSql, DataType from, FeatureDefinition f, FeatureGroup group) {
    String name = f.name();
    Column raw = expr(rawSql);
    if (f.isCollection()) {
      return collection(rawSql, from, f);
    }
    return switch (f.type()) {
      case STRING -> new Converted(from instanceof StringType ? raw : raw.cast("string"), raw, Optional.empty());
      case INTEGRAL -> integral(rawSql, from, name);
      case FRACTIONAL -> fractional(rawSql, from, name);
      case BOOLEAN -> bool(raw, from, name);
      case TIMESTAMP -> name.equals(group.eventTime())
          ? timestamp(rawSql, from, name, group.eventTimeFormats(), group.eventTimeRange(), "event-time range")
          : timestamp(rawSql, from, name, EventTimeFormat.DEFAULT, EventTimeRange.STORABLE, "range of storable times");
    };
  }

  /**
   * A list, set or vector: a native array (Parquet, Delta, JSON) or JSON-array text (a CSV cell). Each element is
   * checked as its text (so {@code 4.0} is an Integral 4, as in a scalar column); the first problem is the reason.
   */
  private static Converted collection(String rawSql, DataType from, FeatureDefinition f) {
    FeatureCollection c = f.collection().orElseThrow();
    String name = f.name();
    Column raw = expr(rawSql);
    String texts;
    Column shown;
    if (from instanceof StringType) {
      texts = "from_json(" + rawSql + ", 'array<string>')";
      shown = raw;
    } else if (from instanceof ArrayType a && (a.elementType() instanceof StringType
        || a.elementType() instanceof NumericType)) {
      texts = "transform(" + rawSql + ", x -> cast(x as string))";
      shown = to_json(raw);
    } else {
      return unsupported(raw, from, name, f.typeName());
    }
    Column elements = expr(texts);
    Column size = functions.size(elements);
    String element = elementSql(f.type(), "trim(x)");
    Column firstProblem = expr("aggregate(transform(" + texts + ", (x, i) -> CASE WHEN x IS NULL THEN "
        + "concat('element ', cast(i + 1 as string), ' is null') ELSE concat('element ', cast(i + 1 as string), ' ', " + elementProblemSql(f.type())
        + ") END), cast(null as string), (acc, p) -> coalesce(acc, p))");
    Column reason = when(raw.isNull(), lit(null).cast("string"))
        .when(elements.isNull(), rejected(name, "not a JSON array", shown));
    if (c.kind() == FeatureCollection.Kind.VECTOR) {
      reason = reason.when(size.notEqual(c.dimension()), concat(lit(name + ": a vector of "), size.cast("string"),
          lit(" elements, the dimension is " + c.dimension() + ": '"), substring(shown, 1, 100), lit("'")));
    } else {
      reason = reason.when(size.gt(c.maxElements()), concat(lit(name + ": "), size.cast("string"),
          lit(" elements, more than max_elements " + c.maxElements() + ": '"), substring(shown, 1, 100), lit("'")));
    }
    reason = reason.when(firstProblem.isNotNull(), concat(lit(name + ": "), firstProblem, lit(": '"),
        substring(shown, 1, 100), lit("'")));
    Column values = expr("transform(" + texts + ", x -> " + element + ")");
    if (c.kind() == FeatureCollection.Kind.SET) {
      // sets are stored normalized, so equal sets compare (and tie-break) equal
      values = functions.array_sort(functions.array_distinct(values));
    }
    Column value = when(raw.isNotNull().and(reason.isNull()), values).otherwise(lit(null).cast(f.sparkType()));
    return new Converted(value.cast(f.sparkType()), raw, Optional.of(reason));
  }

  /** SQL of an element's typed value from its text {@code t}; null when it does not fit the type. */
  private static String elementSql(FeatureType type, String t) {
    String d = "try_cast(" + t + " as double)";
    String finite = "(NOT isnan(" + d + ") AND abs(" + d + ") != double('Infinity'))";
    return switch (type) {
      case STRING -> "x";
      case INTEGRAL -> "CASE WHEN " + t + " RLIKE " + Sql.literal(INTEGER) + " THEN try_cast(" + t + " as bigint) "
          + "WHEN " + t + " RLIKE " + Sql.literal(DECIMAL) + " AND " + finite + " AND " + d + " = rint(" + d + ") "
          + "THEN try_cast(try_cast(" + t + " as decimal(38,0)) as bigint) END";
      case FRACTIONAL -> "CASE WHEN " + t + " RLIKE " + Sql.literal(DECIMAL) + " AND " + finite + " THEN " + d + " END";
      default -> throw new IllegalArgumentException("collections of " + type.yamlName());
    };
  }

  /** SQL of the problem of a non-null element {@code x} ("is not an Integral"), null when it fits. */
  private static String elementProblemSql(FeatureType type) {
    String t = "trim(x)";
    String value = elementSql(type, t);
    String decimal = t + " RLIKE " + Sql.literal(DECIMAL);
    return switch (type) {
      case STRING -> "cast(null as string)";
      case INTEGRAL -> "CASE WHEN (" + value + ") IS NOT NULL THEN cast(null as string) WHEN " + t + " RLIKE "
          + Sql.literal(INTEGER) + " OR (" + decimal + " AND abs(try_cast(" + t + " as double)) = double('Infinity')) "
          + "OR (" + decimal + " AND try_cast(" + t + " as double) = rint(try_cast(" + t + " as double))) "
          + "THEN 'is out of the Integral range' WHEN " + decimal + " THEN 'is not a whole number' "
          + "ELSE 'is not an Integral' END";
      // Jackson re-writes an overflowing number (1e999) as the quoted text "Infinity"
      case FRACTIONAL -> "CASE WHEN (" + value + ") IS NOT NULL THEN cast(null as string) WHEN lower(" + t + ") RLIKE "
          + Sql.literal("^\"?" + NON_FINITE.substring(1, NON_FINITE.length() - 1) + "\"?$") + " OR " + decimal + " THEN 'is NaN or infinite' ELSE 'is not a Fractional' END";
      default -> throw new IllegalArgumentException("collections of " + type.yamlName());
    };
  }

  private static Converted integral(String rawSql, DataType from, String name) {
    Column raw = expr(rawSql);
    if (from instanceof IntegralType) {
      return new Converted(raw.cast("bigint"), raw, Optional.empty());
    }
    if (from instanceof StringType) {
      // text as written: an integer, or a whole number written as a decimal (4.0, 1e3); range checked exactly
      Column t = trim(raw);
      String trimmed = "trim(" + rawSql + ")";
      Column d = tryCast(trimmed, "double");
      Column whole = isFinite(d).and(d.equalTo(functions.rint(d)));
      Column value = when(t.rlike(INTEGER), tryCast(trimmed, "bigint"))
          .when(t.rlike(DECIMAL).and(whole), tryCast("try_cast(" + trimmed + " as decimal(38,0))", "bigint"));
      Column reason = when(raw.isNotNull().and(value.isNull()),
          when(t.rlike(INTEGER).or(t.rlike(DECIMAL).and(whole).or(t.rlike(DECIMAL).and(functions.abs(d)
              .equalTo(Double.POSITIVE_INFINITY)))), rejected(name, "out of the Integral range", raw))
              .when(t.rlike(DECIMAL), rejected(name, "not a whole number", raw))
              .otherwise(rejected(name, "not an Integral", raw)));
      return new Converted(value, raw, Optional.of(reason));
    }
    if (from instanceof DoubleType || from instanceof FloatType || from instanceof DecimalType) {
      Column d = raw.cast("double");
      // infinity is whole (and out of range); NaN is not a number at all
      Column whole = functions.not(isnan(d)).and(d.equalTo(functions.rint(d)));
      Column value = when(whole, tryCast(rawSql, "bigint"));
      Column reason = when(raw.isNotNull().and(value.isNull()), when(whole,
          rejected(name, "out of the Integral range", raw)).otherwise(rejected(name, "not a whole number", raw)));
      return new Converted(value, raw, Optional.of(reason));
    }
    return unsupported(raw, from, name, "Integral");
  }

  private static Converted fractional(String rawSql, DataType from, String name) {
    Column raw = expr(rawSql);
    Column value;
    Column reason;
    if (from instanceof StringType) {
      Column t = trim(raw);
      Column parsed = when(t.rlike(DECIMAL), tryCast("trim(" + rawSql + ")", "double"));
      value = when(isFinite(parsed), parsed);
      reason = when(raw.isNotNull().and(value.isNull()), when(lower(t).rlike(NON_FINITE).or(parsed.isNotNull()),
          rejected(name, "NaN or infinite", raw)).otherwise(rejected(name, "not a Fractional", raw)));
    } else if (from instanceof IntegralType || from instanceof DecimalType || from instanceof DoubleType
        || from instanceof FloatType) {
      Column d = raw.cast("double");
      value = when(isFinite(d), d);
      reason = when(raw.isNotNull().and(value.isNull()), rejected(name, "NaN or infinite", raw));
    } else {
      return unsupported(raw, from, name, "Fractional");
    }
    return new Converted(value, raw, Optional.of(reason));
  }

  private static Column isFinite(Column d) {
    return functions.not(isnan(d)).and(functions.abs(d).notEqual(Double.POSITIVE_INFINITY));
  }

  private static Converted bool(Column raw, DataType from, String name) {
    if (from instanceof BooleanType) {
      return new Converted(raw, raw, Optional.empty());
    }
    if (from instanceof StringType) {
      Column t = lower(trim(raw));
      Column value = when(t.equalTo("true"), lit(true)).when(t.equalTo("false"), lit(false));
      Column reason = when(raw.isNotNull().and(value.isNull()), rejected(name, "not a Boolean (true/false)", raw));
      return new Converted(value, raw, Optional.of(reason));
    }
    return unsupported(raw, from, name, "Boolean");
  }

  private static Converted timestamp(String rawSql, DataType from, String name, List<EventTimeFormat> formats,
      EventTimeRange range, String rangeName) {
    Converted parsed = parseTimestamp(rawSql, from, name, formats);
    // a time that parses but lies outside the range (e.g. epoch milliseconds read as seconds: year 56302)
    Column micros = functions.unix_micros(parsed.value);
    Column inRange = micros.between(range.minMicros(), range.maxMicros());
    Column value = when(inRange, parsed.value);
    boolean seconds = formats.contains(EventTimeFormat.EPOCH_SECONDS);
    Column t = trim(parsed.raw.cast("string"));
    Column outside = rejected(name, "outside the " + rangeName + " " + range.describe(), parsed.raw);
    if (seconds && !formats.contains(EventTimeFormat.EPOCH_MILLIS)) {
      outside = when(t.rlike("^[+-]?\\d{12,}(\\.\\d+)?$"), rejected(name, "outside the " + rangeName + " "
          + range.describe() + " (epoch milliseconds? declare event_time_formats: [epoch_millis])", parsed.raw))
          .otherwise(outside);
    }
    Column reason = when(parsed.value.isNotNull().and(functions.not(inRange)), outside);
    return new Converted(value, parsed.raw, Optional.of(parsed.reason.map(r -> functions.coalesce(r, reason))
        .orElse(reason)));
  }

  private static Converted parseTimestamp(String rawSql, DataType from, String name, List<EventTimeFormat> formats) {
    Column raw = expr(rawSql);
    boolean iso = formats.contains(EventTimeFormat.ISO8601);
    boolean epoch = formats.contains(EventTimeFormat.EPOCH_SECONDS) || formats.contains(EventTimeFormat.EPOCH_MILLIS);
    long perSecond = formats.contains(EventTimeFormat.EPOCH_MILLIS) ? 1000 : 1;
    String unit = perSecond == 1000 ? "epoch milliseconds" : "epoch seconds";
    if (from instanceof TimestampType) {
      return new Converted(raw, raw, Optional.empty());
    }
    if (from instanceof TimestampNTZType || from instanceof DateType) {
      return new Converted(lit(null).cast("timestamp"), raw, Optional.of(when(raw.isNotNull(),
          rejected(name, "a time without a zone (write it as a UTC instant)", raw.cast("string")))));
    }
    if (from instanceof IntegralType || from instanceof DecimalType || from instanceof DoubleType
        || from instanceof FloatType) {
      if (!epoch) {
        return unsupported(raw, from, name, "Timestamp in ISO-8601");
      }
      Column value = epoch(rawSql, perSecond);
      return new Converted(value, raw, Optional.of(when(raw.isNotNull().and(value.isNull()),
          rejected(name, unit + " out of range", raw))));
    }
    if (!(from instanceof StringType)) {
      return unsupported(raw, from, name, "Timestamp");
    }
    Column t = trim(raw);
    Column value = lit(null).cast("timestamp");
    if (epoch) {
      value = when(t.rlike(EPOCH_NUMBER), epoch("trim(" + rawSql + ")", perSecond)).otherwise(value);
    }
    if (iso) {
      value = when(t.rlike(ISO_WITH_ZONE), tryCast("trim(" + rawSql + ")", "timestamp")).otherwise(value);
    }
    Column reason = when(raw.isNotNull().and(value.isNull()),
        iso ? when(t.rlike(ISO_WITHOUT_ZONE), rejected(name, "a time without a zone (add Z or an offset like +02:00)", raw))
            .otherwise(rejected(name, "not a time in " + formatNames(formats), raw))
            : rejected(name, "not a time in " + formatNames(formats), raw));
    return new Converted(value, raw, Optional.of(reason));
  }

  /** Seconds or milliseconds (SQL text of a number or numeric string) to a timestamp, null when out of range. */
  private static Column epoch(String numberSql, long perSecond) {
    long microsPerUnit = 1_000_000 / perSecond;
    return functions.timestamp_micros(tryCast("try_multiply(try_cast(" + numberSql + " as decimal(38,6)), "
        + microsPerUnit + ")", "bigint"));
  }

  private static String formatNames(List<EventTimeFormat> formats) {
    return String.join(" or ", formats.stream().map(EventTimeFormat::yamlName).toList());
  }

  private static Converted unsupported(Column raw, DataType from, String name, String target) {
    return new Converted(lit(null), raw, Optional.of(when(raw.isNotNull(),
        rejected(name, "a " + from.simpleString().toLowerCase(Locale.ROOT) + " value cannot be " + target,
            raw.cast("string")))));
  }

  /** "age: not an Integral: 'abc'" (the value cut to 100 characters). */
  private static Column rejected(String feature, String problem, Column raw) {
    return concat(lit(feature + ": " + problem + ": '"), substring(raw.cast("string"), 1, 100), lit("'"));
  }

  private static Column tryCast(String sql, String type) {
    return expr("try_cast(" + sql + " as " + type + ")");
  }
}
