package io.tidemark.definitions;

import java.util.List;
import java.util.stream.Collectors;

/** Raised when definition files are invalid; lists every problem found, not just the first. */
public class DefinitionException extends RuntimeException {
  private final List<DefinitionProblem> problems;

  public DefinitionException(List<DefinitionProblem> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  public List<DefinitionProblem> problems() {
    return problems;
  }

  private static String format(List<DefinitionProblem> problems) {
    return "invalid feature definitions (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n"
        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
