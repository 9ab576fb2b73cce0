package io.tidemark.definitions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** All feature groups of a definitions folder, validated together. */
public final class FeatureRegistry {
  private final Path directory;
  private final Map<String, FeatureGroup> groups;

  private FeatureRegistry(Path directory, Map<String, FeatureGroup> groups) {
    this.directory = directory;
    this.groups = groups;
  }

  /**
   * Loads every {@code *.yaml}/{@code *.yml} file of {@code directory}.
   *
   * @param projectRoot folder that transform paths are relative to (usually the definitions folder's parent)
   * @param variables values for {@code ${name}} placeholders in source paths
   * @throws DefinitionException listing every problem in every file
   */
  public static FeatureRegistry load(Path directory, Path projectRoot, Map<String, String> variables) {
    if (!Files.isDirectory(directory)) {
      throw new DefinitionException(List.of(new DefinitionProblem(directory, 0,
          "the definitions folder does not exist", "pass --definitions DIR or run from the project root")));
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(directory)) {
      files = s.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory, e);
    }
    DefinitionParser parser = new DefinitionParser(projectRoot, variables);
    List<DefinitionProblem> problems = new ArrayList<>();
    Map<String, FeatureGroup> groups = new TreeMap<>();
    for (Path file : files) {
      parser.parse(file, problems).ifPresent(g -> {
        FeatureGroup previous = groups.putIfAbsent(g.name(), g);
        if (previous != null) {
          problems.add(new DefinitionProblem(file, 1, "group '" + g.name() + "' is also defined in "
              + previous.file().getFileName(), "keep one definition per group"));
        }
      });
    }
    if (!problems.isEmpty()) {
      problems.sort(java.util.Comparator.comparing((DefinitionProblem p) -> p.file().toString())
          .thenComparingInt(DefinitionProblem::line));
      throw new DefinitionException(problems);
    }
    return new FeatureRegistry(directory, groups);
  }

  /** Loads a folder with {@code projectRoot} = its parent. */
  public static FeatureRegistry load(Path directory, Map<String, String> variables) {
    Path abs = directory.toAbsolutePath().normalize();
    return load(abs, abs.getParent() == null ? abs : abs.getParent(), variables);
  }

  /**
   * Parses one definition file on its own (transform paths relative to {@code projectRoot}), e.g. to check a file
   * before it joins a folder.
   *
   * @throws DefinitionException listing every problem in the file
   */
  public static FeatureGroup loadFile(Path file, Path projectRoot, Map<String, String> variables) {
    List<DefinitionProblem> problems = new ArrayList<>();
    Optional<FeatureGroup> group = new DefinitionParser(projectRoot, variables).parse(file, problems);
    if (group.isEmpty()) {
      throw new DefinitionException(problems);
    }
    return group.get();
  }

  public Path directory() {
    return directory;
  }

  public Collection<FeatureGroup> groups() {
    return groups.values();
  }

  public Optional<FeatureGroup> find(String name) {
    return Optional.ofNullable(groups.get(name));
  }

  /** The group, or an error listing the groups that exist. */
  public FeatureGroup group(String name) {
    FeatureGroup g = groups.get(name);
    if (g == null) {
      String hint = YamlMap.closest(name, groups.keySet()).map(s -> "did you mean '" + s + "'? ").orElse("");
      throw new io.tidemark.BadRequestException("no feature group '" + name + "' in " + directory + "; " + hint
          + "defined groups: " + String.join(", ", groups.keySet()));
    }
    return g;
  }
}
