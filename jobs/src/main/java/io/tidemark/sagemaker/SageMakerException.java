package io.tidemark.sagemaker;

import java.util.List;
import java.util.stream.Collectors;

/** A SageMaker definition that cannot become a valid Tidemark definition (or back); lists every problem at once. */
public class SageMakerException extends RuntimeException {
  private final List<String> problems;

  public SageMakerException(String what, List<String> problems) {
    super(what + " (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n"
        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
