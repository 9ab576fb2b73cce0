package io.tidemark.discovery;

import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.FeatureType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds features in the definitions, without Spark:
 * {@code FeatureSearch.in(registry).text("order value").tag("domain", "customers").run()}.
 *
 * <p>The text is split into words; a feature is a hit when every word matches one of its fields, or the text is
 * empty and the filters alone choose. Each word scores by the best field it matches, so a word in a feature's name
 * outranks the same word in a description: feature name {@value #NAME} (a whole word of the name: +{@value
 * #WHOLE_WORD}), group name {@value #GROUP_NAME}, tag key or value and owner {@value #TAG}, feature description
 * {@value #DESCRIPTION}, group description {@value #GROUP_DESCRIPTION}. Hits are ranked by score, then group and
 * feature name, so the order is stable.
 */
public final class FeatureSearch {
  static final int NAME = 8;
  static final int WHOLE_WORD = 2;
  static final int GROUP_NAME = 4;
  static final int TAG = 3;
  static final int DESCRIPTION = 2;
  static final int GROUP_DESCRIPTION = 1;

  /**
   * One feature found.
   *
   * @param matched the fields the words matched, sorted, e.g. {@code description}, {@code name}, {@code tag domain}
   */
  public record Hit(FeatureGroup group, FeatureDefinition feature, int score, List<String> matched) {
    public Hit {
      matched = List.copyOf(new TreeSet<>(matched));
    }

    public String qualifiedName() {
      return group.name() + "." + feature.name();
    }
  }

  private final FeatureRegistry registry;
  private List<String> words = List.of();
  private final Map<String, String> tags = new LinkedHashMap<>();
  private Optional<String> owner = Optional.empty();
  private Optional<FeatureType> type = Optional.empty();
  private Optional<String> group = Optional.empty();

  private FeatureSearch(FeatureRegistry registry) {
    this.registry = registry;
  }

  public static FeatureSearch in(FeatureRegistry registry) {
    return new FeatureSearch(registry);
  }

  /** What to look for: words matched case-insensitively as parts of names, descriptions, tags and owners. */
  public FeatureSearch text(String text) {
    this.words = Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
        .filter(w -> !w.isEmpty()).distinct().toList();
    return this;
  }

  /** Only groups with this tag (key and value compared ignoring case). Repeatable: all must hold. */
  public FeatureSearch tag(String key, String value) {
    tags.put(key, value);
    return this;
  }

  /** Only groups whose owner contains this (ignoring case), e.g. a team's address or its domain. */
  public FeatureSearch owner(String value) {
    this.owner = Optional.of(value);
    return this;
  }

  public FeatureSearch type(FeatureType value) {
    this.type = Optional.of(value);
    return this;
  }

  /** Only the features of this group. */
  public FeatureSearch group(String name) {
    registry.group(name); // an unknown group is an error, not an empty answer
    this.group = Optional.of(name);
    return this;
  }

  public List<Hit> run() {
    List<Hit> hits = new ArrayList<>();
    for (FeatureGroup g : registry.groups()) {
      if (!chosen(g)) {
        continue;
      }
      for (FeatureDefinition f : g.features()) {
        if (type.isPresent() && f.type() != type.get()) {
          continue;
        }
        score(g, f).ifPresent(hits::add);
      }
    }
    hits.sort(Comparator.comparingInt(Hit::score).reversed()
        .thenComparing(h -> h.group().name()).thenComparing(h -> h.feature().name()));
    return List.copyOf(hits);
  }

  private boolean chosen(FeatureGroup g) {
    if (group.isPresent() && !g.name().equals(group.get())) {
      return false;
    }
    if (owner.isPresent() && (g.owner() == null
        || !g.owner().toLowerCase(Locale.ROOT).contains(owner.get().toLowerCase(Locale.ROOT)))) {
      return false;
    }
    for (Map.Entry<String, String> t : tags.entrySet()) {
      boolean has = g.tags().entrySet().stream().anyMatch(e -> e.getKey().equalsIgnoreCase(t.getKey())
          && e.getValue().equalsIgnoreCase(t.getValue()));
      if (!has) {
        return false;
      }
    }
    return true;
  }

  private Optional<Hit> score(FeatureGroup g, FeatureDefinition f) {
    int total = 0;
    Set<String> matched = new TreeSet<>();
    for (String w : words) {
      int best = 0;
      String where = null;
      if (contains(f.name(), w)) {
        best = NAME + (wholeWord(f.name(), w) ? WHOLE_WORD : 0);
        where = "name";
      }
      if (best < GROUP_NAME && contains(g.name(), w)) {
        best = GROUP_NAME;
        where = "group";
      }
      if (best < TAG) {
        for (Map.Entry<String, String> t : g.tags().entrySet()) {
          if (contains(t.getKey(), w) || contains(t.getValue(), w)) {
            best = TAG;
            where = "tag " + t.getKey();
            break;
          }
        }
      }
      if (best < TAG && contains(g.owner(), w)) {
        best = TAG;
        where = "owner";
      }
      if (best < DESCRIPTION && contains(f.description(), w)) {
        best = DESCRIPTION;
        where = "description";
      }
      if (best < GROUP_DESCRIPTION && contains(g.description(), w)) {
        best = GROUP_DESCRIPTION;
        where = "group description";
      }
      if (where == null) {
        return Optional.empty();
      }
      total += best;
      matched.add(where);
    }
    return Optional.of(new Hit(g, f, total, List.copyOf(matched)));
  }

  private static boolean contains(String field, String word) {
    return field != null && field.toLowerCase(Locale.ROOT).contains(word);
  }

  /** True when the word is one of the name's words (split at _ and digits boundaries, e.g. avg_order_value). */
  private static boolean wholeWord(String name, String word) {
    return Arrays.asList(name.toLowerCase(Locale.ROOT).split("[^\\p{L}]+")).contains(word);
  }
}
