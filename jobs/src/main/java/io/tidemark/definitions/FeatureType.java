package io.tidemark.definitions;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The value types a feature can have; the names are SageMaker Feature Store's, plus Boolean and Timestamp. */
public enum FeatureType {
  STRING("String", DataTypes.StringType),
  INTEGRAL("Integral", DataTypes.LongType),
  FRACTIONAL("Fractional", DataTypes.DoubleType),
  BOOLEAN("Boolean", DataTypes.BooleanType),
  TIMESTAMP("Timestamp", DataTypes.TimestampType);

  private final String yamlName;
  private final DataType sparkType;

  FeatureType(String yamlName, DataType sparkType) {
    this.yamlName = yamlName;
    this.sparkType = sparkType;
  }

  public String yamlName() {
    return yamlName;
  }

  public DataType sparkType() {
    return sparkType;
  }

  public static Optional<FeatureType> fromYaml(String name) {
    return Arrays.stream(values())
        .filter(t -> t.yamlName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
        .findFirst();
  }

  public static String allowedNames() {
    return Arrays.stream(values()).map(FeatureType::yamlName).collect(Collectors.joining(", "));
  }
}
