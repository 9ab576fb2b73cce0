package io.tidemark.definitions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML mapping read with its line numbers, reporting every problem (unknown, duplicate, missing or mistyped keys)
 * to a shared problem list instead of stopping at the first.
 */
final class YamlMap {
  private final Path file;
  private final String where;
  private final Node node;
  private final Map<String, Node> entries = new LinkedHashMap<>();
  private final Map<String, Integer> keyLines = new LinkedHashMap<>();
  private final List<DefinitionProblem> problems;

  private YamlMap(Path file, String where, Node node, List<DefinitionProblem> problems) {
    this.file = file;
    this.where = where;
    this.node = node;
    this.problems = problems;
    if (node instanceof MappingNode mapping) {
      for (NodeTuple t : mapping.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode key)) {
          problems.add(problem(t.getKeyNode(), "a key in " + where + " is not a plain name", "use key: value"));
          continue;
        }
        if (entries.containsKey(key.getValue())) {
          problems.add(problem(key, "duplicate key '" + key.getValue() + "' in " + where,
              "remove one of the two (the first is on line " + keyLines.get(key.getValue()) + ")"));
          continue;
        }
        entries.put(key.getValue(), t.getValueNode());
        keyLines.put(key.getValue(), line(key));
      }
    }
  }

  /** Reads {@code node} as a mapping, or records a problem and returns an empty one. */
  static YamlMap of(Path file, String where, Node node, List<DefinitionProblem> problems) {
    if (!(node instanceof MappingNode)) {
      problems.add(new DefinitionProblem(file, line(node), where + " must be a mapping of key: value",
          "indent its keys under it"));
    }
    return new YamlMap(file, where, node, problems);
  }

  static int line(Node n) {
    return n == null ? 1 : n.getStartMark().getLine() + 1;
  }

  int line() {
    return line(node);
  }

  int lineOf(String key) {
    return keyLines.getOrDefault(key, line());
  }

  Path file() {
    return file;
  }

  DefinitionProblem problem(Node at, String message, String fix) {
    return new DefinitionProblem(file, line(at), message, fix);
  }

  void report(String key, String message, String fix) {
    problems.add(new DefinitionProblem(file, lineOf(key), message, fix));
  }

  /** The keys in file order. */
  List<String> keys() {
    return List.copyOf(entries.keySet());
  }

  boolean has(String key) {
    return entries.containsKey(key);
  }

  Optional<Node> node(String key) {
    return Optional.ofNullable(entries.get(key));
  }

  /** Reports keys outside {@code allowed}, suggesting the closest allowed key. */
  void rejectUnknownKeys(Collection<String> allowed) {
    for (String key : entries.keySet()) {
      if (!allowed.contains(key)) {
        String suggestion = closest(key, allowed).map(s -> "did you mean '" + s + "'? ").orElse("");
        report(key, "unknown key '" + key + "' in " + where,
            suggestion + "allowed keys: " + String.join(", ", allowed));
      }
    }
  }

  Optional<String> string(String key) {
    Node value = entries.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof ScalarNode scalar) {
      return Optional.of(scalar.getValue());
    }
    report(key, "'" + key + "' in " + where + " must be a single value", "write it as " + key + ": <value>");
    return Optional.empty();
  }

  Optional<String> requiredString(String key, String fix) {
    if (!has(key)) {
      problems.add(new DefinitionProblem(file, line(), "missing '" + key + "' in " + where, fix));
      return Optional.empty();
    }
    Optional<String> value = string(key);
    if (value.isPresent() && value.get().isBlank()) {
      report(key, "'" + key + "' in " + where + " is empty", fix);
      return Optional.empty();
    }
    return value;
  }

  boolean bool(String key, boolean defaultValue) {
    Optional<String> value = string(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    return switch (value.get()) {
      case "true" -> true;
      case "false" -> false;
      default -> {
        report(key, "'" + key + "' in " + where + " must be true or false, not '" + value.get() + "'", "");
        yield defaultValue;
      }
    };
  }

  Optional<YamlMap> map(String key) {
    return node(key).map(n -> YamlMap.of(file, "'" + key + "' of " + where, n, problems));
  }

  /** A mapping of plain values (reader options, tags). */
  Map<String, String> stringMap(String key) {
    Map<String, String> result = new LinkedHashMap<>();
    map(key).ifPresent(m -> {
      for (String k : m.entries.keySet()) {
        m.string(k).ifPresent(v -> result.put(k, v));
      }
    });
    return result;
  }

  List<Node> list(String key) {
    Node value = entries.get(key);
    if (value == null) {
      return List.of();
    }
    if (value instanceof SequenceNode seq) {
      return seq.getValue();
    }
    report(key, "'" + key + "' in " + where + " must be a list", "write each item on its own line starting with '- '");
    return List.of();
  }

  List<String> stringList(String key) {
    List<String> result = new ArrayList<>();
    for (Node item : list(key)) {
      if (item instanceof ScalarNode scalar) {
        result.add(scalar.getValue());
      } else {
        problems.add(problem(item, "items of '" + key + "' in " + where + " must be single values", ""));
      }
    }
    return result;
  }

  static Optional<String> closest(String key, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = editDistance(key, c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return bestDistance <= Math.max(2, key.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

}
