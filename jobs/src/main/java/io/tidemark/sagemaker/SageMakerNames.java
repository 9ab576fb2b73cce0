package io.tidemark.sagemaker;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * SageMaker names (letters of both cases, digits, '-' and '_') to Tidemark names ({@code [a-z][a-z0-9_]*}, no
 * "__"): a capital that starts a word gets a '_' before it, then everything is lower case, and every run of
 * characters other than letters and digits becomes one '_' ({@code Customer-Profiles} and {@code CustomerProfiles}
 * become {@code customer_profiles}, {@code HTTPStatus} becomes {@code http_status}). A name that then starts with a
 * digit (SageMaker allows it, Tidemark does not) gets a prefix: {@code g_} for groups, {@code f_} for features.
 */
public final class SageMakerNames {
  /** Tidemark's rule (DefinitionParser): a letter, then letters, digits and single underscores. */
  private static final Pattern TIDEMARK_NAME = Pattern.compile("[a-z][a-z0-9_]*");

  private SageMakerNames() {}

  public static String group(String sageMakerName) {
    return map(sageMakerName, "g_");
  }

  public static String feature(String sageMakerName) {
    return map(sageMakerName, "f_");
  }

  private static String map(String sageMakerName, String digitPrefix) {
    String words = sageMakerName.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1_$2");
    String name = words.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
    return name.matches("[0-9].*") ? digitPrefix + name : name;
  }

  /** True when Tidemark takes the name as a group or feature name. */
  public static boolean isTidemarkName(String name) {
    return TIDEMARK_NAME.matcher(name).matches() && !name.contains("__");
  }
}
