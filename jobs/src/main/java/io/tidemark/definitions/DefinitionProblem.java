package io.tidemark.definitions;

import java.nio.file.Path;

/** One thing wrong in a definition file: where, what, and how to fix it. */
public record DefinitionProblem(Path file, int line, String message, String fix) {
  @Override
  public String toString() {
    return file + ":" + line + ": " + message + (fix.isEmpty() ? "" : " (" + fix + ")");
  }
}
