package io.tidemark.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed notebooks carry no outputs: mvn verify executes them into jobs/target/notebooks/executed, never in
 * place. Strip a notebook before committing with
 * {@code jupyter nbconvert --clear-output --inplace notebooks/NAME.ipynb}.
 */
class NotebooksStrippedTest {
  static final Path NOTEBOOKS = Path.of("..", "notebooks").toAbsolutePath().normalize();

  @Test
  void committedNotebooksHaveNoOutputs() throws IOException {
    List<Path> notebooks;
    try (Stream<Path> files = Files.list(NOTEBOOKS)) {
      notebooks = files.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertEquals(List.of("01-explore-feature-groups.ipynb", "02-training-set-and-model.ipynb",
        "03-online-lookup.ipynb", "04-find-trace-and-drift.ipynb"),
        notebooks.stream().map(p -> p.getFileName().toString()).toList());
    List<String> problems = new ArrayList<>();
    for (Path nb : notebooks) {
      JsonNode root = new ObjectMapper().readTree(nb.toFile());
      if (!"tidemark-java".equals(root.path("metadata").path("kernelspec").path("name").asText())) {
        problems.add(nb.getFileName() + ": kernelspec is not tidemark-java");
      }
      int index = 0;
      for (JsonNode cell : root.path("cells")) {
        if (cell.path("outputs").size() > 0) {
          problems.add(nb.getFileName() + " cell " + index + ": has outputs");
        }
        if (cell.has("execution_count") && !cell.get("execution_count").isNull()) {
          problems.add(nb.getFileName() + " cell " + index + ": has an execution count");
        }
        index++;
      }
    }
    assertTrue(problems.isEmpty(), "notebooks must be committed without outputs (jupyter nbconvert "
        + "--clear-output --inplace notebooks/*.ipynb): " + problems);
  }
}
