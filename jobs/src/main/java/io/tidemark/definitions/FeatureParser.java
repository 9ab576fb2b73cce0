package io.tidemark.definitions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/** Parses a group's {@code features:} (types, collections, validation rules) and checks its key features. */
final class FeatureParser {
  private static final List<String> FEATURE_KEYS = List.of("name", "type", "description", "nullable", "rules",
      "collection", "dimension", "max_elements");
  private static final List<String> RULE_KEYS = List.of("not_null", "min", "max", "allowed_values", "regex",
      "max_length", "level");

  /** Line of each feature's name in the file being parsed. */
  private final Map<String, Integer> featureLines = new HashMap<>();

  /** The line of feature {@code name}'s definition, or {@code fallback}. */
  int lineOf(String name, int fallback) {
    return featureLines.getOrDefault(name, fallback);
  }

  List<FeatureDefinition> parseFeatures(YamlMap group, List<DefinitionProblem> problems) {
    if (!group.has("features")) {
      group.report("features", "missing 'features' in the feature group", "list the group's features (see README)");
      return List.of();
    }
    List<FeatureDefinition> features = new ArrayList<>();
    Map<String, Integer> seen = featureLines;
    seen.clear();
    for (Node item : group.list("features")) {
      YamlMap f = YamlMap.of(group.file(), "a feature", item, problems);
      f.rejectUnknownKeys(FEATURE_KEYS);
      Optional<String> name = f.requiredString("name", "give the feature a name");
      Optional<String> typeText = f.requiredString("type", "add type: one of " + FeatureType.allowedNames());
      if (name.isEmpty()) {
        continue;
      }
      if (!DefinitionParser.checkIdentifier(f, "name", name.get(), "feature name")) {
        continue;
      }
      if (ReservedNames.OFFLINE_COLUMNS.contains(name.get())) {
        f.report("name", "'" + name.get() + "' is reserved for Tidemark's metadata columns",
            "rename the feature; reserved: " + String.join(", ", ReservedNames.OFFLINE_COLUMNS.stream().sorted().toList()));
      }
      Integer firstLine = seen.putIfAbsent(name.get(), f.lineOf("name"));
      if (firstLine != null) {
        f.report("name", "duplicate feature '" + name.get() + "'", "it is already defined on line " + firstLine);
      }
      Optional<FeatureType> type = typeText.flatMap(t -> {
        Optional<FeatureType> parsed = FeatureType.fromYaml(t);
        if (parsed.isEmpty()) {
          f.report("type", "unknown type '" + t + "' for feature '" + name.get() + "'",
              "use one of " + FeatureType.allowedNames());
        }
        return parsed;
      });
      Optional<FeatureCollection> collection = parseCollection(f, name.get(), type);
      type.ifPresent(t -> features.add(new FeatureDefinition(name.get(), t, f.string("description").orElse(""),
          f.bool("nullable", true), collection.isPresent() ? collectionRules(f, name.get(), problems)
              : parseRules(f, name.get(), t, problems), collection)));
    }
    return features;
  }

  /**
   * {@code collection: list | set | vector}, with {@code dimension: N} (vectors, required) or
   * {@code max_elements: N} (lists and sets, default {@link FeatureCollection#DEFAULT_MAX_ELEMENTS}).
   */
  private static Optional<FeatureCollection> parseCollection(YamlMap f, String name, Optional<FeatureType> type) {
    Optional<String> text = f.string("collection");
    if (text.isEmpty()) {
      for (String key : List.of("dimension", "max_elements")) {
        if (f.has(key)) {
          f.report(key, "'" + key + "' of feature '" + name + "' applies to collection features only",
              key.equals("dimension") ? "add collection: vector (type Fractional), or remove dimension"
                  : "add collection: list or set, or remove max_elements");
        }
      }
      return Optional.empty();
    }
    Optional<FeatureCollection.Kind> kind = FeatureCollection.Kind.fromYaml(text.get());
    if (kind.isEmpty()) {
      f.report("collection", "unknown collection '" + text.get() + "' for feature '" + name + "'",
          "use one of " + FeatureCollection.Kind.allowedNames());
      return Optional.empty();
    }
    if (type.isEmpty()) {
      return Optional.empty();
    }
    FeatureType t = type.get();
    if (kind.get() == FeatureCollection.Kind.VECTOR) {
      if (t != FeatureType.FRACTIONAL) {
        f.report("type", "a vector holds Fractional elements, feature '" + name + "' has type " + t.yamlName(),
            "write type: Fractional, or use collection: list");
        return Optional.empty();
      }
      if (f.has("max_elements")) {
        f.report("max_elements", "a vector has exactly 'dimension' elements, max_elements does not apply",
            "remove max_elements from feature '" + name + "'");
      }
      if (!f.has("dimension")) {
        f.report("collection", "vector feature '" + name + "' has no dimension",
            "add dimension: <the number of elements, 1.." + FeatureCollection.MAX_ELEMENTS_LIMIT + ">");
        return Optional.empty();
      }
      return count(f, "dimension", name, 1).map(FeatureCollection::vector);
    }
    if (t != FeatureType.STRING && t != FeatureType.INTEGRAL && t != FeatureType.FRACTIONAL) {
      f.report("type", "a " + kind.get().yamlName() + " holds String, Integral or Fractional elements, feature '"
          + name + "' has type " + t.yamlName(), "change the element type, or make the feature a single value");
      return Optional.empty();
    }
    if (f.has("dimension")) {
      f.report("dimension", "dimension applies to vectors, feature '" + name + "' is a " + kind.get().yamlName(),
          "remove dimension, or use collection: vector (type Fractional)");
    }
    int max = f.has("max_elements") ? count(f, "max_elements", name, 0).orElse(FeatureCollection.DEFAULT_MAX_ELEMENTS)
        : FeatureCollection.DEFAULT_MAX_ELEMENTS;
    return Optional.of(new FeatureCollection(kind.get(), 0, max));
  }

  /** A whole number from {@code min} to {@link FeatureCollection#MAX_ELEMENTS_LIMIT}. */
  private static Optional<Integer> count(YamlMap f, String key, String name, int min) {
    String text = f.string(key).orElse("").trim();
    if (text.matches("\\d{1,9}")) {
      int n = Integer.parseInt(text);
      if (n >= min && n <= FeatureCollection.MAX_ELEMENTS_LIMIT) {
        return Optional.of(n);
      }
    }
    f.report(key, key + " of feature '" + name + "' is '" + text + "'",
        "write a whole number from " + min + " to " + FeatureCollection.MAX_ELEMENTS_LIMIT);
    return Optional.empty();
  }

  /** A collection feature takes only not_null: the other rules check single values. */
  private static List<ValidationRule> collectionRules(YamlMap feature, String name, List<DefinitionProblem> problems) {
    List<ValidationRule> rules = new ArrayList<>();
    for (Node item : feature.list("rules")) {
      YamlMap r = YamlMap.of(feature.file(), "a rule of feature '" + name + "'", item, problems);
      r.rejectUnknownKeys(RULE_KEYS);
      List<String> kinds = RULE_KEYS.stream().filter(k -> !k.equals("level") && r.has(k)).toList();
      if (!kinds.equals(List.of("not_null"))) {
        r.report(kinds.isEmpty() ? "level" : kinds.get(0), "collection feature '" + name + "' takes only the "
            + "not_null rule, found " + kinds, "remove the rule (element checks: the type, and max_elements)");
        continue;
      }
      ValidationRule.Level level = "warn".equals(r.string("level").orElse("error")) ? ValidationRule.Level.WARN
          : ValidationRule.Level.ERROR;
      if (r.bool("not_null", true)) {
        rules.add(new ValidationRule(name, ValidationRule.Kind.NOT_NULL, Optional.empty(), Optional.empty(),
            List.of(), Optional.empty(), Optional.empty(), level));
      }
    }
    return rules;
  }

  static void checkKeyFeature(YamlMap group, List<FeatureDefinition> features, String key, String name,
      Set<FeatureType> allowed, String allowedText) {
    if (name.isEmpty()) {
      return;
    }
    Optional<FeatureDefinition> f = features.stream().filter(x -> x.name().equals(name)).findFirst();
    if (f.isEmpty()) {
      group.report(key, key + " '" + name + "' is not one of the group's features",
          "add a feature named " + name + " or name an existing one");
    } else if (f.get().isCollection()) {
      group.report(key, key + " '" + name + "' is a " + f.get().typeName() + " but must be a single "
          + allowedText, "remove collection: from feature " + name);
    } else if (!allowed.contains(f.get().type())) {
      group.report(key, key + " '" + name + "' has type " + f.get().type().yamlName() + " but must be " + allowedText,
          "change the feature's type to " + allowedText);
    }
  }

  private static List<ValidationRule> parseRules(YamlMap feature, String name, FeatureType type,
      List<DefinitionProblem> problems) {
    List<ValidationRule> rules = new ArrayList<>();
    for (Node item : feature.list("rules")) {
      YamlMap r = YamlMap.of(feature.file(), "a rule of feature '" + name + "'", item, problems);
      r.rejectUnknownKeys(RULE_KEYS);
      ValidationRule.Level level = r.string("level").map(l -> switch (l) {
        case "error" -> ValidationRule.Level.ERROR;
        case "warn" -> ValidationRule.Level.WARN;
        default -> {
          r.report("level", "unknown rule level '" + l + "'", "use error (quarantine the row) or warn (keep and count)");
          yield ValidationRule.Level.ERROR;
        }
      }).orElse(ValidationRule.Level.ERROR);
      List<String> kinds = RULE_KEYS.stream().filter(k -> !k.equals("level") && r.has(k)).toList();
      boolean range = kinds.stream().allMatch(k -> k.equals("min") || k.equals("max"));
      if (kinds.isEmpty() || (kinds.size() > 1 && !range)) {
        r.report(kinds.isEmpty() ? "level" : kinds.get(1), "a rule must have exactly one check (min and max may go "
            + "together), found " + (kinds.isEmpty() ? "none" : kinds), "write one check per list item");
        continue;
      }
      boolean numeric = type == FeatureType.INTEGRAL || type == FeatureType.FRACTIONAL;
      switch (kinds.get(0)) {
        case "not_null" -> {
          if (r.bool("not_null", true)) {
            rules.add(new ValidationRule(name, ValidationRule.Kind.NOT_NULL, Optional.empty(), Optional.empty(),
                List.of(), Optional.empty(), Optional.empty(), level));
          }
        }
        case "min", "max" -> {
          if (!numeric) {
            r.report(kinds.get(0), "min/max apply to Integral and Fractional features, not " + type.yamlName(),
                "remove the rule or change the type");
            continue;
          }
          Optional<Double> min = number(r, "min");
          Optional<Double> max = number(r, "max");
          if (min.isPresent() && max.isPresent() && min.get() > max.get()) {
            r.report("max", "max " + max.get() + " is below min " + min.get(), "swap them");
          }
          rules.add(new ValidationRule(name, ValidationRule.Kind.RANGE, min, max, List.of(), Optional.empty(),
              Optional.empty(), level));
        }
        case "allowed_values" -> {
          if (type != FeatureType.STRING && type != FeatureType.INTEGRAL) {
            r.report("allowed_values", "allowed_values apply to String and Integral features, not " + type.yamlName(),
                "use min/max for numbers");
            continue;
          }
          List<String> allowed = r.stringList("allowed_values");
          if (allowed.isEmpty()) {
            r.report("allowed_values", "allowed_values of feature '" + name + "' is empty", "list the values a row "
                + "may have, e.g. allowed_values: [a, b]");
            continue;
          }
          if (type == FeatureType.INTEGRAL) {
            List<String> bad = allowed.stream().filter(v -> !v.trim().matches("[+-]?\\d{1,19}") || !fitsLong(v.trim()))
                .toList();
            if (!bad.isEmpty()) {
              r.report("allowed_values", "allowed_values of Integral feature '" + name + "' must be whole numbers; "
                  + "not: " + String.join(", ", bad.stream().map(v -> "'" + v + "'").toList()),
                  "list 64-bit integers like [1, 2, 3], or change the type to String");
              continue;
            }
            // compared with the value as text: 007 and +7 must be written 7
            allowed = allowed.stream().map(v -> Long.toString(Long.parseLong(v.trim()))).toList();
          }
          rules.add(new ValidationRule(name, ValidationRule.Kind.ALLOWED_VALUES, Optional.empty(), Optional.empty(),
              allowed, Optional.empty(), Optional.empty(), level));
        }
        case "regex", "max_length" -> {
          if (type != FeatureType.STRING) {
            r.report(kinds.get(0), kinds.get(0) + " applies to String features, not " + type.yamlName(),
                "remove the rule or change the type");
            continue;
          }
          if (kinds.get(0).equals("regex")) {
            String regex = r.string("regex").orElse("");
            try {
              java.util.regex.Pattern.compile(regex);
            } catch (java.util.regex.PatternSyntaxException e) {
              r.report("regex", "the regex does not compile: " + e.getDescription(), "fix the regular expression");
              continue;
            }
            rules.add(new ValidationRule(name, ValidationRule.Kind.REGEX, Optional.empty(), Optional.empty(),
                List.of(), Optional.of(regex), Optional.empty(), level));
          } else {
            String text = r.string("max_length").orElse("");
            if (!text.trim().matches("\\d{1,9}")) {
              r.report("max_length", "max_length of feature '" + name + "' is '" + text + "'",
                  "write a whole number >= 0 (characters)");
              continue;
            }
            rules.add(new ValidationRule(name, ValidationRule.Kind.MAX_LENGTH, Optional.empty(), Optional.empty(),
                List.of(), Optional.empty(), Optional.of(Integer.parseInt(text.trim())), level));
          }
        }
        default -> throw new IllegalStateException(kinds.get(0));
      }
    }
    return rules;
  }

  private static boolean fitsLong(String text) {
    try {
      Long.parseLong(text);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static Optional<Double> number(YamlMap m, String key) {
    return m.string(key).flatMap(text -> {
      try {
        return Optional.of(Double.parseDouble(text));
      } catch (NumberFormatException e) {
        m.report(key, "'" + key + "' must be a number, not '" + text + "'", "");
        return Optional.empty();
      }
    });
  }
}
