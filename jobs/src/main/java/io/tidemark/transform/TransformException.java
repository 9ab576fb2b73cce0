package io.tidemark.transform;

import java.nio.file.Path;

/** A transform that cannot run: names the file, the problem and the fix. */
public class TransformException extends IllegalArgumentException {
  public TransformException(Path file, String problem, String fix) {
    super("transform " + file + ": " + problem + " (" + fix + ")");
  }
}
