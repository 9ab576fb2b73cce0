package io.tidemark.definitions;

import java.util.List;
import java.util.Optional;

/**
 * A declarative data-quality rule on one feature, checked on the typed value. An {@code error} rule sends the row to
 * the quarantine with the rule's name; a {@code warn} rule keeps the row and counts it. Null values pass every rule
 * but {@code not_null}.
 */
public record ValidationRule(
    String feature,
    Kind kind,
    Optional<Double> min,
    Optional<Double> max,
    List<String> allowedValues,
    Optional<String> regex,
    Optional<Integer> maxLength,
    Level level) {

  public enum Kind { NOT_NULL, RANGE, ALLOWED_VALUES, REGEX, MAX_LENGTH }

  public enum Level { ERROR, WARN }

  public ValidationRule {
    allowedValues = List.copyOf(allowedValues);
  }

  /** The rule as written, for reasons and reports: {@code min 0, max 130}, {@code regex ^u[0-9]+$}. */
  public String describe() {
    return switch (kind) {
      case NOT_NULL -> "not_null";
      case RANGE -> String.join(", ", min.map(m -> "min " + num(m)).stream().toList())
          + (min.isPresent() && max.isPresent() ? ", " : "") + max.map(m -> "max " + num(m)).orElse("");
      case ALLOWED_VALUES -> "allowed_values " + allowedValues;
      case REGEX -> "regex " + regex.orElseThrow();
      case MAX_LENGTH -> "max_length " + maxLength.orElseThrow();
    };
  }

  private static String num(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }
}
