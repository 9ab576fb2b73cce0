package io.tidemark.sagemaker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one SageMaker definition's conversion found, in the order found, shared by the parts that read it: the
 * problems (all reported at once), the report lines, the features left out, and the comments for lines of the
 * YAML file (by key, see {@link DefinitionYaml}).
 */
final class ConversionFindings {
  final List<String> problems = new ArrayList<>();
  final List<String> report = new ArrayList<>();
  final List<String> leftOut = new ArrayList<>();
  final Map<String, String> comments = new HashMap<>();
}
