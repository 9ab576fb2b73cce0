package io.tidemark.ingest;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.tidemark.definitions.ValidationRule;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * One check a row must pass (after deequ's constraints): a record per kind of check, naming the column it checks and
 * producing the reason a row breaks it. A reason is a {@link Reasons} entry keyed by the constraint's kind and column,
 * so the batch counts reasons by constraint, never by parsing their text.
 */
sealed interface Constraint {
  /** The kind of check, as reasons are keyed: {@code type}, {@code required}, {@code range}, ... */
  String kind();

  String column();

  /** The reason (a {@link Reasons} entry, null where the row passes), or empty when this check never rejects. */
  Optional<Column> failure(TypedColumns.Typed v);

  /** The input line parsed: {@code column} is the reader's corrupt-record column, set on a line it could not read. */
  record WellFormed(String column) implements Constraint {
    public String kind() {
      return "well_formed";
    }

    public Optional<Column> failure(TypedColumns.Typed v) {
      return Optional.of(when(v.raw().isNotNull(), Reasons.plain(this,
          lit("malformed record: the line could not be parsed"))));
    }
  }

  /** The raw value fits the column's type (a time also its range); the cast itself says why not. */
  record Parses(String column) implements Constraint {
    public String kind() {
      return "type";
    }

    public Optional<Column> failure(TypedColumns.Typed v) {
      return v.reason();
    }
  }

  /** The column has a value. @param what "record identifier", "event time" or "non-nullable feature" */
  record Required(String column, String what) implements Constraint {
    public String kind() {
      return "required";
    }

    public Optional<Column> failure(TypedColumns.Typed v) {
      return Optional.of(when(v.value().isNull().and(v.raw().isNull()),
          Reasons.plain(this, lit(column + ": missing " + what))));
    }
  }

  /** A String record identifier is not blank. */
  record NotBlank(String column) implements Constraint {
    public String kind() {
      return "not_blank";
    }

    public Optional<Column> failure(TypedColumns.Typed v) {
      return Optional.of(when(trim(v.value()).equalTo(""), Reasons.plain(this, lit(column + ": blank record identifier"))));
    }
  }

  /** A history row carries its own metadata column (write_time, api_invocation_time, is_deleted). */
  record HistoryMetadata(String column) implements Constraint {
    public String kind() {
      return "history_metadata";
    }

    public Optional<Column> failure(TypedColumns.Typed v) {
      return Optional.of(when(v.value().isNull(), Reasons.plain(this,
          lit(column + ": missing (history rows carry their own " + column + ")"))));
    }
  }

  /** The record identifier was not erased; {@code v}'s value is the erasure's id, null for an id never erased. */
  record NotErased(String column) implements Constraint {
    public String kind() {
      return "not_erased";
    }

    public Optional<Column> failure(TypedColumns.Typed v) {
      return Optional.of(when(v.value().isNotNull(), Reasons.plain(this, concat(lit(column
          + ": record id erased by erasure "), v.value(), lit("; not stored (lift the erasure to ingest it again)")))));
    }
  }

  /**
   * A data-quality rule of the definition, checked on the typed value: an {@code error} rule rejects the row, a
   * {@code warn} rule keeps it and counts it. Null values pass every rule but not_null.
   */
  sealed interface Rule extends Constraint {
    ValidationRule.Level level();

    /** The rule as written in the definition ({@code min 0, max 130}). */
    String written();

    /** True where the value breaks the rule. */
    Column broken(TypedColumns.Typed v);

    @Override
    default Optional<Column> failure(TypedColumns.Typed v) {
      return level() == ValidationRule.Level.ERROR ? Optional.of(when(broken(v),
          Reasons.rejected(this, "rule " + written() + " failed", v.value()))) : Optional.empty();
    }

    /** How rows that break a {@code warn} rule are counted. */
    default String warning() {
      return column() + ": rule " + written() + " (warn)";
    }

    static Rule of(String column, ValidationRule r) {
      return switch (r.kind()) {
        case NOT_NULL -> new NotNull(column, r.level(), r.describe());
        case RANGE -> new Range(column, r.min(), r.max(), r.level(), r.describe());
        case ALLOWED_VALUES -> new AllowedValues(column, r.allowedValues(), r.level(), r.describe());
        case REGEX -> new Matches(column, r.regex().orElseThrow(), r.level(), r.describe());
        case MAX_LENGTH -> new MaxLength(column, r.maxLength().orElseThrow(), r.level(), r.describe());
      };
    }
  }

  /** The value is present; its reason has no value to quote ({@code age: rule not_null failed}). */
  record NotNull(String column, ValidationRule.Level level, String written) implements Rule {
    public String kind() {
      return "not_null";
    }

    public Column broken(TypedColumns.Typed v) {
      return v.value().isNull().and(v.raw().isNull());
    }

    @Override
    public Optional<Column> failure(TypedColumns.Typed v) {
      // the other rules quote the value, which would make this reason null and let the row through
      return level == ValidationRule.Level.ERROR
          ? Optional.of(when(broken(v), Reasons.plain(this, lit(column + ": rule " + written + " failed"))))
          : Optional.empty();
    }
  }

  record Range(String column, Optional<Double> min, Optional<Double> max, ValidationRule.Level level, String written)
      implements Rule {
    public String kind() {
      return "range";
    }

    public Column broken(TypedColumns.Typed v) {
      Column x = v.value();
      return x.isNotNull().and(min.map(m -> x.lt(m)).orElse(lit(false)).or(max.map(m -> x.gt(m)).orElse(lit(false))));
    }
  }

  record AllowedValues(String column, List<String> values, ValidationRule.Level level, String written)
      implements Rule {
    public String kind() {
      return "allowed_values";
    }

    public Column broken(TypedColumns.Typed v) {
      return v.value().isNotNull().and(functions.not(v.value().cast("string").isin(values.toArray())));
    }
  }

  record Matches(String column, String regex, ValidationRule.Level level, String written) implements Rule {
    public String kind() {
      return "regex";
    }

    public Column broken(TypedColumns.Typed v) {
      return v.value().isNotNull().and(functions.not(v.value().rlike(regex)));
    }
  }

  record MaxLength(String column, int maxLength, ValidationRule.Level level, String written) implements Rule {
    public String kind() {
      return "max_length";
    }

    public Column broken(TypedColumns.Typed v) {
      return v.value().isNotNull().and(functions.length(v.value()).gt(maxLength));
    }
  }
}
