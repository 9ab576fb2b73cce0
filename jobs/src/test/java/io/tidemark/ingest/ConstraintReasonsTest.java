package io.tidemark.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.definitions.EventTimeFormat;
import io.tidemark.definitions.EventTimeRange;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.ValidationRule;
import io.tidemark.testing.TestSpark;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Reasons are counted by the constraint that produced them, while the quarantine keeps the full messages. */
class ConstraintReasonsTest {
  @Test
  void reasonsAreKeyedByConstraintAndKeepTheirMessages() {
    ValidationRule atMost130 = new ValidationRule("age", ValidationRule.Kind.RANGE, Optional.empty(),
        Optional.of(130.0), List.of(), Optional.empty(), Optional.empty(), ValidationRule.Level.ERROR);

    Dataset<Row> validated = validateAges(atMost130, "('u1', '2024-05-01T00:00:00Z', 'abc'), "
        + "('u2', '2024-05-01T00:00:00Z', '200'), (' ', '2024-05-01T00:00:00Z', '201')");

    assertEquals(Map.of(
        new Reasons.Key("type", "age", "age: not an Integral"), 1L,
        new Reasons.Key("range", "age", "age: rule max 130 failed"), 2L,
        new Reasons.Key("not_blank", "id", "id: blank record identifier"), 1L),
        Reasons.count(validated, RowValidator.REASONS));
    assertEquals(List.of("[age: not an Integral: 'abc']", "[age: rule max 130 failed: '200']",
        "[id: blank record identifier, age: rule max 130 failed: '201']"),
        validated.select(Reasons.messages(validated.col(RowValidator.REASONS))).collectAsList().stream()
            .map(r -> r.getList(0).toString()).toList());
  }

  @Test
  void anErrorLevelNotNullRuleRejectsAMissingValue() {
    ValidationRule required = new ValidationRule("age", ValidationRule.Kind.NOT_NULL, Optional.empty(),
        Optional.empty(), List.of(), Optional.empty(), Optional.empty(), ValidationRule.Level.ERROR);

    Dataset<Row> validated = validateAges(required, "('u1', '2024-05-01T00:00:00Z', '7'), "
        + "('u2', '2024-05-01T00:00:00Z', CAST(NULL AS STRING))");

    assertEquals(Map.of(new Reasons.Key("not_null", "age", "age: rule not_null failed"), 1L),
        Reasons.count(validated, RowValidator.REASONS));
    assertEquals(List.of("u1: []", "u2: [age: rule not_null failed]"), validated.orderBy("id")
        .select(validated.col("id"), Reasons.messages(validated.col(RowValidator.REASONS))).collectAsList().stream()
        .map(r -> r.getString(0) + ": " + r.getList(1)).toList());
  }

  /** Rows (id, t, age) as raw text, validated against a users group whose Integral age has {@code rule}. */
  private static Dataset<Row> validateAges(ValidationRule rule, String values) {
    SparkSession spark = TestSpark.get();
    RowSchema schema = new RowSchema("users", "id", "t", EventTimeFormat.DEFAULT, EventTimeRange.STORABLE, List.of(
        new FeatureDefinition("id", FeatureType.STRING, "", false),
        new FeatureDefinition("t", FeatureType.TIMESTAMP, "", false),
        new FeatureDefinition("age", FeatureType.INTEGRAL, "", true, List.of(rule))));
    Dataset<Row> input = spark.sql("SELECT * FROM VALUES " + values + " AS r(id, t, age)");
    return RowValidator.validate(input, schema, RowValidator.Mode.RECORDS);
  }
}
