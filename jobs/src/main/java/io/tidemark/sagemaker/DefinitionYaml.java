package io.tidemark.sagemaker;

import io.tidemark.definitions.Durations;
import io.tidemark.definitions.EventTimeFormat;
import io.tidemark.definitions.EventTimeRange;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes a feature group as a definition file in the style of the shipped ones (block style, a comment where a
 * value needs a why). Covers what a SageMaker definition can hold: no sources, rules, windows or event-time range.
 */
final class DefinitionYaml {
  private static final int COMMENT_COLUMN = 30;
  private static final Yaml PLAIN = yaml(DumperOptions.ScalarStyle.PLAIN);
  private static final Yaml QUOTED = yaml(DumperOptions.ScalarStyle.DOUBLE_QUOTED);

  private DefinitionYaml() {}

  /**
   * @param comments end-of-line comments by key: {@code name}, {@code event_time_formats}, {@code offline.format},
   *     {@code online.ttl}, {@code sagemaker}
   * @param header comment lines before the definition, footer comment lines after it (without "# ")
   */
  static String write(FeatureGroup g, Map<String, String> comments, List<String> header, List<String> footer) {
    if (g.source().isPresent() || g.windows().isPresent() || !g.eventTimeRange().equals(EventTimeRange.STORABLE)
        || g.features().stream().anyMatch(f -> !f.rules().isEmpty())) {
      throw new IllegalArgumentException("group '" + g.name() + "' has sources, rules, windows or an event-time range,"
          + " which a definition written from SageMaker cannot have");
    }
    List<String> out = new ArrayList<>();
    header.forEach(h -> out.add("# " + h));
    out.add(line("name: " + scalar(g.name()), comments.get("name")));
    if (!g.description().isEmpty()) {
      out.add("description: " + scalar(g.description()));
    }
    if (!g.owner().isEmpty()) {
      out.add(line("owner: " + scalar(g.owner()), comments.get("owner")));
    }
    if (!g.tags().isEmpty()) {
      out.add("tags:");
      new TreeMap<>(g.tags()).forEach((k, v) -> out.add("  " + scalar(k) + ": " + scalar(v)));
    }
    out.add("record_identifier: " + scalar(g.recordIdentifier()));
    out.add("event_time: " + scalar(g.eventTime()));
    out.add(line("event_time_formats: [" + String.join(", ", g.eventTimeFormats().stream()
        .map(EventTimeFormat::yamlName).toList()) + "]", comments.get("event_time_formats")));
    g.ttl().ifPresent(t -> out.add("ttl: " + Durations.format(t)));
    out.add("features:");
    for (FeatureDefinition f : g.features()) {
      out.add("  - name: " + scalar(f.name()));
      out.add("    type: " + f.type().yamlName());
      f.collection().ifPresent(c -> {
        out.add("    collection: " + c.kind().yamlName());
        if (c.kind() == io.tidemark.definitions.FeatureCollection.Kind.VECTOR) {
          out.add("    dimension: " + c.dimension());
        } else if (c.maxElements() != io.tidemark.definitions.FeatureCollection.DEFAULT_MAX_ELEMENTS) {
          out.add("    max_elements: " + c.maxElements());
        }
      });
      if (!f.description().isEmpty()) {
        out.add("    description: " + scalar(f.description()));
      }
      boolean key = f.name().equals(g.recordIdentifier()) || f.name().equals(g.eventTime());
      if (!f.nullable() && !key) {
        out.add("    nullable: false");
      }
    }
    out.add("offline:");
    out.add(line("  format: " + g.offline().format().sparkName(), comments.get("offline.format")));
    if (!g.offline().partitionByEventDate()) {
      out.add("  partition_by: none");
    }
    out.add("online:");
    out.add("  enabled: " + g.online().enabled());
    g.online().ttl().ifPresent(t -> out.add(line("  ttl: " + Durations.format(t), comments.get("online.ttl"))));
    g.sagemaker().ifPresent(s -> {
      out.add(line("sagemaker:", comments.get("sagemaker")));
      out.add("  name: " + scalar(s.featureGroupName()));
      if (!s.featureNames().isEmpty()) {
        out.add("  feature_names:");
        new TreeMap<>(s.featureNames()).forEach((k, v) -> out.add("    " + scalar(k) + ": " + scalar(v)));
      }
      s.offlineS3Uri().ifPresent(u -> out.add("  offline_s3_uri: " + scalar(u)));
    });
    footer.forEach(f -> out.add("# " + f));
    return String.join("\n", out) + "\n";
  }

  private static String line(String text, String comment) {
    if (comment == null) {
      return text;
    }
    return text + " ".repeat(Math.max(1, COMMENT_COLUMN - text.length())) + "# " + comment;
  }

  /** The value as a YAML scalar: plain when that reads back the same text, else quoted (by SnakeYAML's rules). */
  static String scalar(String value) {
    String plain = PLAIN.dump(value).stripTrailing();
    return plain.contains("\n") ? QUOTED.dump(value).stripTrailing() : plain;
  }

  private static Yaml yaml(DumperOptions.ScalarStyle style) {
    DumperOptions options = new DumperOptions();
    options.setDefaultScalarStyle(style);
    options.setWidth(Integer.MAX_VALUE);
    options.setSplitLines(false);
    return new Yaml(options);
  }
}
