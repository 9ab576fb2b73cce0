package io.tidemark.definitions;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * One typed feature (column) of a feature group, with its data-quality rules.
 *
 * @param type the type of the value, or of each element of a collection
 * @param collection present for a list, set or vector feature (an array column)
 */
public record FeatureDefinition(String name, FeatureType type, String description, boolean nullable,
    List<ValidationRule> rules, Optional<FeatureCollection> collection) {

  public FeatureDefinition {
    rules = List.copyOf(rules);
  }

  public FeatureDefinition(String name, FeatureType type, String description, boolean nullable,
      List<ValidationRule> rules) {
    this(name, type, description, nullable, rules, Optional.empty());
  }

  public FeatureDefinition(String name, FeatureType type, String description, boolean nullable) {
    this(name, type, description, nullable, List.of(), Optional.empty());
  }

  public FeatureDefinition withNullable(boolean isNullable) {
    return new FeatureDefinition(name, type, description, isNullable, rules, collection);
  }

  public boolean isCollection() {
    return collection.isPresent();
  }

  /** The column type: the type's, or an array of it for a collection. */
  public DataType sparkType() {
    return collection.isPresent() ? DataTypes.createArrayType(type.sparkType(), true) : type.sparkType();
  }

  /** "Integral", "list of String", "vector of 64 Fractional". */
  public String typeName() {
    return collection.map(c -> c.describe(type)).orElse(type.yamlName());
  }
}
