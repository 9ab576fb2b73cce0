package io.tidemark.util;

/** Quoting for the few SQL strings Tidemark builds (DDL); names are validated identifiers already. */
public final class Sql {
  private Sql() {}

  /** {@code `name`}, with backticks doubled. */
  public static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  /** A single-quoted SQL string literal. */
  public static String literal(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
