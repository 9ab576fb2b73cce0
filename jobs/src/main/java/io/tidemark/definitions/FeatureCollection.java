package io.tidemark.definitions;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a collection feature holds its elements ({@code collection: list | set | vector} in a definition).
 *
 * @param dimension a vector's fixed number of elements (0 for lists and sets)
 * @param maxElements the most elements a list or set may hold (a vector: its dimension)
 */
public record FeatureCollection(Kind kind, int dimension, int maxElements) implements java.io.Serializable {
  /** Default {@code max_elements} of lists and sets: keeps an online item well below DynamoDB's 400 KB. */
  public static final int DEFAULT_MAX_ELEMENTS = 1000;
  /** Upper bound of {@code max_elements} and {@code dimension}. */
  public static final int MAX_ELEMENTS_LIMIT = 10_000;

  public enum Kind {
    LIST, SET, VECTOR;

    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Kind> fromYaml(String text) {
      return Arrays.stream(values()).filter(k -> k.yamlName().equals(text.toLowerCase(Locale.ROOT))).findFirst();
    }

    public static String allowedNames() {
      return Arrays.stream(values()).map(Kind::yamlName).collect(Collectors.joining(", "));
    }
  }

  public static FeatureCollection list(int maxElements) {
    return new FeatureCollection(Kind.LIST, 0, maxElements);
  }

  public static FeatureCollection set(int maxElements) {
    return new FeatureCollection(Kind.SET, 0, maxElements);
  }

  public static FeatureCollection vector(int dimension) {
    return new FeatureCollection(Kind.VECTOR, dimension, dimension);
  }

  /** "list of Integral", "vector of 64 Fractional". */
  public String describe(FeatureType element) {
    return kind == Kind.VECTOR ? "vector of " + dimension + " " + element.yamlName()
        : kind.yamlName() + " of " + element.yamlName();
  }
}
