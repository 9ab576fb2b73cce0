package io.tidemark.training;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** How a training set is written. */
public enum OutputFormat {
  PARQUET("parquet"),
  DELTA("delta"),
  /** CSV with a header row. */
  CSV("csv"),
  /**
   * What SageMaker's built-in algorithms read: no header, the label column first, then the feature columns only
   * (other spine columns are left out); booleans as 1/0.
   */
  SAGEMAKER_CSV("sagemaker-csv");

  private final String cliName;

  OutputFormat(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  /** The Spark data source that writes it. */
  String sparkFormat() {
    return this == SAGEMAKER_CSV ? "csv" : cliName;
  }

  public static Optional<OutputFormat> parse(String text) {
    return Arrays.stream(values()).filter(f -> f.cliName.equals(text.toLowerCase(Locale.ROOT))).findFirst();
  }

  public static String allowedNames() {
    return Arrays.stream(values()).map(OutputFormat::cliName).collect(Collectors.joining(", "));
  }
}
