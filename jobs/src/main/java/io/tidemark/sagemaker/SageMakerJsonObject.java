package io.tidemark.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A JSON object of a SageMaker definition with its path in the document: reads fields, adding a problem for a value
 * of the wrong kind and a report line for a field import-sagemaker does not know.
 */
final class SageMakerJsonObject {
  private final String path;
  private final JsonNode node;
  private final ConversionFindings findings;

  SageMakerJsonObject(String path, JsonNode node, ConversionFindings findings) {
    this.path = path;
    this.node = node;
    this.findings = findings;
  }

  String path(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /** Reports fields that are neither {@code known} nor {@code ignored} (state, not definition): not carried. */
  void reportUnknown(List<String> known, Set<String> ignored) {
    Set<String> unknown = new TreeSet<>();
    node.fieldNames().forEachRemaining(n -> {
      if (!known.contains(n) && !ignored.contains(n)) {
        unknown.add(n);
      }
    });
    unknown.forEach(n -> findings.report.add(path(n) + ": a field import-sagemaker does not know; not carried"));
  }

  /** The field's value when present and of the expected kind; a value of another kind is a problem. */
  private Optional<JsonNode> value(String field, Predicate<JsonNode> kind, String expected) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!kind.test(v)) {
      findings.problems.add(path(field) + " must be " + expected + ", not " + v);
      return Optional.empty();
    }
    return Optional.of(v);
  }

  Optional<String> text(String field) {
    return value(field, JsonNode::isTextual, "a string").map(JsonNode::textValue);
  }

  Optional<String> requiredText(String field) {
    Optional<String> v = text(field);
    if (v.isEmpty() && (node.get(field) == null || node.get(field).isNull())) {
      findings.problems.add(path(field) + " is missing");
    }
    return v.filter(s -> !s.isBlank());
  }

  Optional<Boolean> bool(String field) {
    return value(field, JsonNode::isBoolean, "true or false").map(JsonNode::booleanValue);
  }

  Optional<Long> whole(String field) {
    JsonNode v = node.get(field);
    return v != null && v.canConvertToExactIntegral() && v.canConvertToLong() ? Optional.of(v.longValue())
        : Optional.empty();
  }

  Optional<SageMakerJsonObject> object(String field) {
    return value(field, JsonNode::isObject, "an object").map(v -> new SageMakerJsonObject(path(field), v, findings));
  }

  List<SageMakerJsonObject> objects(String field) {
    Optional<JsonNode> v = value(field, JsonNode::isArray, "a list");
    List<SageMakerJsonObject> out = new ArrayList<>();
    for (int i = 0; i < v.map(JsonNode::size).orElse(0); i++) {
      JsonNode item = v.get().get(i);
      if (item.isObject()) {
        out.add(new SageMakerJsonObject(path(field) + "[" + i + "]", item, findings));
      } else {
        findings.problems.add(path(field) + "[" + i + "] must be an object, not " + item);
      }
    }
    return out;
  }

  List<SageMakerJsonObject> requiredObjects(String field) {
    if (node.get(field) == null) {
      findings.problems.add(path(field) + " is missing");
    }
    return objects(field);
  }
}
