package io.tidemark.definitions;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code sagemaker:} block of a definition: what the group is called in SageMaker Feature Store, where its
 * names differ from Tidemark's, so {@code export-sagemaker} writes the names SageMaker serving code already uses.
 * Written by {@code import-sagemaker}; the jobs ignore it.
 *
 * @param featureGroupName the SageMaker FeatureGroupName
 * @param featureNames Tidemark feature name to SageMaker FeatureName, only for the features whose names differ
 * @param offlineS3Uri the SageMaker offline store's S3Uri, when it has one
 */
public record SageMakerOrigin(String featureGroupName, Map<String, String> featureNames,
    Optional<String> offlineS3Uri) {
  /** SageMaker's rule for group and feature names (CreateFeatureGroup). */
  public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}");

  public SageMakerOrigin {
    featureNames = Map.copyOf(featureNames);
  }

  /** The SageMaker name of a Tidemark feature. */
  public String featureName(String tidemarkName) {
    return featureNames.getOrDefault(tidemarkName, tidemarkName);
  }
}
