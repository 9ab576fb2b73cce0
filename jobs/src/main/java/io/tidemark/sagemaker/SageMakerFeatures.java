package io.tidemark.sagemaker;

import io.tidemark.definitions.FeatureCollection;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * SageMaker's {@code FeatureDefinitions} as Tidemark features: names lower-cased, types mapped, List, Set and Vector
 * collections carried, any other collection left out and reported; and the record identifier and event time checked
 * against them.
 */
final class SageMakerFeatures {
  private final List<String> problems;
  private final List<String> report;
  private final List<String> leftOut;

  SageMakerFeatures(ConversionFindings findings) {
    this.problems = findings.problems;
    this.report = findings.report;
    this.leftOut = findings.leftOut;
  }

  /**
   * The features of {@code FeatureDefinitions}, under their Tidemark names; fills {@code tidemarkNames} (SageMaker
   * name to Tidemark name, in definition order).
   */
  List<FeatureDefinition> features(SageMakerJsonObject group, Map<String, String> tidemarkNames) {
    List<FeatureDefinition> features = new ArrayList<>();
    Map<String, String> bySageMakerName = new HashMap<>();
    for (SageMakerJsonObject f : group.requiredObjects("FeatureDefinitions")) {
      f.reportUnknown(List.of("FeatureName", "FeatureType", "CollectionType", "CollectionConfig"), Set.of());
      Optional<String> sageMakerName = f.requiredText("FeatureName");
      Optional<String> typeText = f.requiredText("FeatureType");
      if (sageMakerName.isEmpty() || typeText.isEmpty()) {
        continue;
      }
      String smName = sageMakerName.get();
      String name = SageMakerNames.feature(smName);
      String previous = bySageMakerName.putIfAbsent(name, smName);
      if (previous != null) {
        problems.add("FeatureDefinitions '" + previous + "' and '" + smName + "' both map to Tidemark feature '"
            + name + "' (Tidemark names are lower case; rename one in SageMaker)");
        continue;
      }
      tidemarkNames.put(smName, name);
      Optional<FeatureType> type = switch (typeText.get()) {
        case "String" -> Optional.of(FeatureType.STRING);
        case "Integral" -> Optional.of(FeatureType.INTEGRAL);
        case "Fractional" -> Optional.of(FeatureType.FRACTIONAL);
        default -> {
          problems.add(f.path("FeatureType") + " is '" + typeText.get() + "' (SageMaker's types are String, "
              + "Integral and Fractional)");
          yield Optional.empty();
        }
      };
      if (type.isEmpty()) {
        continue;
      }
      Optional<String> collectionType = f.text("CollectionType");
      Optional<FeatureCollection> collection = Optional.empty();
      if (collectionType.isPresent()) {
        Optional<Long> dimension = f.object("CollectionConfig").flatMap(c -> c.object("VectorConfig"))
            .flatMap(v -> v.whole("Dimension"));
        switch (collectionType.get()) {
          case "List" -> collection = Optional.of(FeatureCollection.list(FeatureCollection.DEFAULT_MAX_ELEMENTS));
          case "Set" -> collection = Optional.of(FeatureCollection.set(FeatureCollection.DEFAULT_MAX_ELEMENTS));
          case "Vector" -> {
            if (type.get() != FeatureType.FRACTIONAL) {
              problems.add(f.path("FeatureType") + " of Vector '" + smName + "' is '" + typeText.get()
                  + "' (a vector holds Fractional elements)");
              continue;
            }
            if (dimension.isEmpty() || dimension.get() < 1 || dimension.get() > FeatureCollection.MAX_ELEMENTS_LIMIT) {
              problems.add(f.path("CollectionConfig") + ".VectorConfig.Dimension of Vector '" + smName + "' is "
                  + dimension.map(String::valueOf).orElse("missing") + " (Tidemark's vectors have 1 to "
                  + FeatureCollection.MAX_ELEMENTS_LIMIT + " elements)");
              continue;
            }
            collection = Optional.of(FeatureCollection.vector(dimension.get().intValue()));
          }
          default -> {
            leftOut.add(smName);
            report.add("FeatureDefinitions '" + smName + "' (" + typeText.get() + " " + collectionType.get()
                + "): left out; Tidemark's collections are List, Set and Vector");
            continue;
          }
        }
        if (collectionType.get().equals("List") || collectionType.get().equals("Set")) {
          report.add("FeatureDefinitions '" + smName + "' (" + typeText.get() + " " + collectionType.get() + "): "
              + "collection: " + collection.get().kind().yamlName() + " with max_elements "
              + FeatureCollection.DEFAULT_MAX_ELEMENTS + " (longer ones are quarantined; raise it in the file)");
        }
      }
      features.add(new FeatureDefinition(name, type.get(), "", true, List.of(), collection));
    }
    return features;
  }

  /** The Tidemark name of a record identifier or event time, checked against the features and allowed types. */
  String keyFeature(SageMakerJsonObject group, String field, Map<String, String> tidemarkNames,
      List<FeatureDefinition> features, Set<FeatureType> allowed, String allowedText) {
    Optional<String> smName = group.requiredText(field);
    if (smName.isEmpty()) {
      return "";
    }
    if (leftOut.contains(smName.get())) {
      problems.add(field + " '" + smName.get() + "' is a collection feature (a " + field.replace("FeatureName", "")
          + " is a single value)");
      return "";
    }
    String name = tidemarkNames.get(smName.get());
    Optional<FeatureDefinition> f = features.stream().filter(x -> x.name().equals(name)).findFirst();
    if (f.isEmpty()) {
      problems.add(field + " '" + smName.get() + "' is not one of the FeatureDefinitions (known: "
          + String.join(", ", tidemarkNames.keySet()) + ")");
      return "";
    }
    if (f.get().isCollection()) {
      problems.add(field + " '" + smName.get() + "' is a collection feature (a " + field.replace("FeatureName", "")
          + " is a single value)");
    } else if (!allowed.contains(f.get().type())) {
      problems.add(field + " '" + smName.get() + "' is " + f.get().type().yamlName() + "; it must be "
          + allowedText);
    }
    return name;
  }
}
