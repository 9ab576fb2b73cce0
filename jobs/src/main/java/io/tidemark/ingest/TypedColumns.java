package io.tidemark.ingest;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.tidemark.definitions.EventTimeFormat;
import io.tidemark.definitions.EventTimeRange;
import io.tidemark.definitions.FeatureCollection;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureType;
import io.tidemark.util.Sql;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Casts a raw column to its feature type, as Spark expressions: the typed value, and the reason (a {@link Reasons}
 * entry of the column's {@link Constraint.Parses}) when the raw value does not fit. Casts use {@code try_cast} so the
 * same code works with ANSI mode on (Spark 4's default).
 */
final class TypedColumns {
  private static final String ISO_WITH_ZONE =
      "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}(:?\\d{2})?)$";
  private static final String ISO_WITHOUT_ZONE = "^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?)?$";
  private static final String EPOCH_NUMBER = "^[+-]?\\d+(\\.\\d+)?([eE][+-]?\\d+)?$";
  private static final String INTEGER = "^[+-]?\\d+$";
  private static final String DECIMAL = "^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$";
  private static final String NON_FINITE = "^[+-]?(nan|inf|infinity)$";

  /** A typed value, the raw value it came from, and the reason when the raw value does not fit the type. */
  record Typed(Column value, Column raw, Optional<Column> reason) {
    /** A column checked as it is (no cast). */
    static Typed of(Column column) {
      return new Typed(column, column, Optional.empty());
    }
  }

  private TypedColumns() {}


  /** @param rawSql the input column as SQL text (a quoted name), so that try_cast can be written in SQL */
  static Typed convert(String rawSql, DataType from, FeatureDefinition f, RowSchema schema) {
    Constraint.Parses check = new Constraint.Parses(f.name());
    Column raw = expr(rawSql);
    if (f.isCollection()) {
      return collection(rawSql, from, f, check);
    }
    return switch (f.type()) {
      case STRING -> new Typed(from instanceof StringType ? raw : raw.cast("string"), raw, Optional.empty());
      case INTEGRAL -> integral(rawSql, from, check);
      case FRACTIONAL -> fractional(rawSql, from, check);
      case BOOLEAN -> bool(raw, from, check);
      case TIMESTAMP -> f.name().equals(schema.eventTime())
          ? timestamp(rawSql, from, check, schema.eventTimeFormats(), schema.eventTimeRange(), "event-time range")
          : timestamp(rawSql, from, check, EventTimeFormat.DEFAULT, EventTimeRange.STORABLE, "range of storable times");
    };
  }

  /**
   * A list, set or vector: a native array (Parquet, Delta, JSON) or JSON-array text (a CSV cell). Each element is
   * checked as its text (so {@code 4.0} is an Integral 4, as in a scalar column); the first problem is the reason.
   */
  private static Typed collection(String rawSql, DataType from, FeatureDefinition f, Constraint.Parses check) {
    FeatureCollection c = f.collection().orElseThrow();
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
      return unsupported(raw, from, check, f.typeName());
    }
    Column elements = expr(texts);
    Column size = functions.size(elements);
    String element = elementSql(f.type(), "trim(x)");
    Column firstProblem = expr("aggregate(transform(" + texts + ", (x, i) -> CASE WHEN x IS NULL THEN "
        + "concat('element ', cast(i + 1 as string), ' is null') ELSE concat('element ', cast(i + 1 as string), ' ', " + elementProblemSql(f.type())
        + ") END), cast(null as string), (acc, p) -> coalesce(acc, p))");
    Column reason = when(raw.isNull(), lit(null))
        .when(elements.isNull(), Reasons.rejected(check, "not a JSON array", shown));
    if (c.kind() == FeatureCollection.Kind.VECTOR) {
      reason = reason.when(size.notEqual(c.dimension()), Reasons.rejected(check, concat(lit("a vector of "),
          size.cast("string"), lit(" elements, the dimension is " + c.dimension())), shown));
    } else {
      reason = reason.when(size.gt(c.maxElements()), Reasons.rejected(check, concat(size.cast("string"),
          lit(" elements, more than max_elements " + c.maxElements())), shown));
    }
    reason = reason.when(firstProblem.isNotNull(), Reasons.rejected(check, firstProblem, shown));
    Column values = expr("transform(" + texts + ", x -> " + element + ")");
    if (c.kind() == FeatureCollection.Kind.SET) {
      // sets are stored normalized, so equal sets compare (and tie-break) equal
      values = functions.array_sort(functions.array_distinct(values));
    }
    Column value = when(raw.isNotNull().and(reason.isNull()), values).otherwise(lit(null).cast(f.sparkType()));
    return new Typed(value.cast(f.sparkType()), raw, Optional.of(reason));
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

  private static Typed integral(String rawSql, DataType from, Constraint.Parses check) {
    Column raw = expr(rawSql);
    if (from instanceof IntegralType) {
      return new Typed(raw.cast("bigint"), raw, Optional.empty());
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
              .equalTo(Double.POSITIVE_INFINITY)))), Reasons.rejected(check, "out of the Integral range", raw))
              .when(t.rlike(DECIMAL), Reasons.rejected(check, "not a whole number", raw))
              .otherwise(Reasons.rejected(check, "not an Integral", raw)));
      return new Typed(value, raw, Optional.of(reason));
    }
    if (from instanceof DoubleType || from instanceof FloatType || from instanceof DecimalType) {
      Column d = raw.cast("double");
      // infinity is whole (and out of range); NaN is not a number at all
      Column whole = functions.not(isnan(d)).and(d.equalTo(functions.rint(d)));
      Column value = when(whole, tryCast(rawSql, "bigint"));
      Column reason = when(raw.isNotNull().and(value.isNull()), when(whole,
          Reasons.rejected(check, "out of the Integral range", raw)).otherwise(Reasons.rejected(check, "not a whole number", raw)));
      return new Typed(value, raw, Optional.of(reason));
    }
    return unsupported(raw, from, check, "Integral");
  }

  private static Typed fractional(String rawSql, DataType from, Constraint.Parses check) {
    Column raw = expr(rawSql);
    Column value;
    Column reason;
    if (from instanceof StringType) {
      Column t = trim(raw);
      Column parsed = when(t.rlike(DECIMAL), tryCast("trim(" + rawSql + ")", "double"));
      value = when(isFinite(parsed), parsed);
      reason = when(raw.isNotNull().and(value.isNull()), when(lower(t).rlike(NON_FINITE).or(parsed.isNotNull()),
          Reasons.rejected(check, "NaN or infinite", raw)).otherwise(Reasons.rejected(check, "not a Fractional", raw)));
    } else if (from instanceof IntegralType || from instanceof DecimalType || from instanceof DoubleType
        || from instanceof FloatType) {
      Column d = raw.cast("double");
      value = when(isFinite(d), d);
      reason = when(raw.isNotNull().and(value.isNull()), Reasons.rejected(check, "NaN or infinite", raw));
    } else {
      return unsupported(raw, from, check, "Fractional");
    }
    return new Typed(value, raw, Optional.of(reason));
  }

  private static Column isFinite(Column d) {
    return functions.not(isnan(d)).and(functions.abs(d).notEqual(Double.POSITIVE_INFINITY));
  }

  private static Typed bool(Column raw, DataType from, Constraint.Parses check) {
    if (from instanceof BooleanType) {
      return new Typed(raw, raw, Optional.empty());
    }
    if (from instanceof StringType) {
      Column t = lower(trim(raw));
      Column value = when(t.equalTo("true"), lit(true)).when(t.equalTo("false"), lit(false));
      Column reason = when(raw.isNotNull().and(value.isNull()), Reasons.rejected(check, "not a Boolean (true/false)", raw));
      return new Typed(value, raw, Optional.of(reason));
    }
    return unsupported(raw, from, check, "Boolean");
  }

  private static Typed timestamp(String rawSql, DataType from, Constraint.Parses check, List<EventTimeFormat> formats,
      EventTimeRange range, String rangeName) {
    Typed parsed = parseTimestamp(rawSql, from, check, formats);
    // a time that parses but lies outside the range (e.g. epoch milliseconds read as seconds: year 56302)
    Column micros = functions.unix_micros(parsed.value);
    Column inRange = micros.between(range.minMicros(), range.maxMicros());
    Column value = when(inRange, parsed.value);
    boolean seconds = formats.contains(EventTimeFormat.EPOCH_SECONDS);
    Column t = trim(parsed.raw.cast("string"));
    Column outside = Reasons.rejected(check, "outside the " + rangeName + " " + range.describe(), parsed.raw);
    if (seconds && !formats.contains(EventTimeFormat.EPOCH_MILLIS)) {
      outside = when(t.rlike("^[+-]?\\d{12,}(\\.\\d+)?$"), Reasons.rejected(check, "outside the " + rangeName + " "
          + range.describe() + " (epoch milliseconds? declare event_time_formats: [epoch_millis])", parsed.raw))
          .otherwise(outside);
    }
    Column reason = when(parsed.value.isNotNull().and(functions.not(inRange)), outside);
    return new Typed(value, parsed.raw, Optional.of(parsed.reason.map(r -> functions.coalesce(r, reason))
        .orElse(reason)));
  }

  private static Typed parseTimestamp(String rawSql, DataType from, Constraint.Parses check, List<EventTimeFormat> formats) {
    Column raw = expr(rawSql);
    boolean iso = formats.contains(EventTimeFormat.ISO8601);
    boolean epoch = formats.contains(EventTimeFormat.EPOCH_SECONDS) || formats.contains(EventTimeFormat.EPOCH_MILLIS);
    long perSecond = formats.contains(EventTimeFormat.EPOCH_MILLIS) ? 1000 : 1;
    String unit = perSecond == 1000 ? "epoch milliseconds" : "epoch seconds";
    if (from instanceof TimestampType) {
      return new Typed(raw, raw, Optional.empty());
    }
    if (from instanceof TimestampNTZType || from instanceof DateType) {
      return new Typed(lit(null).cast("timestamp"), raw, Optional.of(when(raw.isNotNull(),
          Reasons.rejected(check, "a time without a zone (write it as a UTC instant)", raw.cast("string")))));
    }
    if (from instanceof IntegralType || from instanceof DecimalType || from instanceof DoubleType
        || from instanceof FloatType) {
      if (!epoch) {
        return unsupported(raw, from, check, "Timestamp in ISO-8601");
      }
      Column value = epoch(rawSql, perSecond);
      return new Typed(value, raw, Optional.of(when(raw.isNotNull().and(value.isNull()),
          Reasons.rejected(check, unit + " out of range", raw))));
    }
    if (!(from instanceof StringType)) {
      return unsupported(raw, from, check, "Timestamp");
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
        iso ? when(t.rlike(ISO_WITHOUT_ZONE), Reasons.rejected(check, "a time without a zone (add Z or an offset like +02:00)", raw))
            .otherwise(Reasons.rejected(check, "not a time in " + formatNames(formats), raw))
            : Reasons.rejected(check, "not a time in " + formatNames(formats), raw));
    return new Typed(value, raw, Optional.of(reason));
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

  private static Typed unsupported(Column raw, DataType from, Constraint.Parses check, String target) {
    return new Typed(lit(null), raw, Optional.of(when(raw.isNotNull(),
        Reasons.rejected(check, "a " + from.simpleString().toLowerCase(Locale.ROOT) + " value cannot be " + target,
            raw.cast("string")))));
  }

  private static Column tryCast(String sql, String type) {
    return expr("try_cast(" + sql + " as " + type + ")");
  }
}
