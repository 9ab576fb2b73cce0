package io.tidemark;

/**
 * A request that cannot be served as asked: it names a group or feature the definitions do not have, or misses or
 * misspells a required part (no spine, no output). Not a failed job: the CLI exits with 2 (bad command line).
 */
public class BadRequestException extends IllegalArgumentException {
  public BadRequestException(String message) {
    super(message);
  }
}
