package io.tidemark.definitions;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written as {@code <number><unit>}: ms, s, m, h, d, w (e.g. {@code 90d}, {@code 6h}, {@code 500ms}). */
public final class Durations {
  private static final Pattern PATTERN = Pattern.compile("^(\\d+)(ms|s|m|h|d|w)$");
  public static final String SYNTAX = "a duration like 500ms, 30s, 15m, 6h, 90d or 2w";
  /**
   * The longest duration accepted: 100 years. Longer ones would move times outside the instants that can be
   * stored and compared (year 0001 to 9999); "no limit" is written {@code none} where a limit is optional.
   */
  public static final Duration MAX = Duration.ofDays(36_500);
  private static final String MAX_TEXT = "36500d (100 years)";

  private Durations() {}

  /** The duration, or empty when the text is not {@link #SYNTAX} or is longer than {@link #MAX}. */
  public static Optional<Duration> parse(String text) {
    Matcher m = PATTERN.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    java.math.BigInteger n = new java.math.BigInteger(m.group(1));
    long unitMillis = switch (m.group(2)) {
      case "ms" -> 1L;
      case "s" -> 1_000L;
      case "m" -> 60_000L;
      case "h" -> 3_600_000L;
      case "d" -> 86_400_000L;
      default -> 7 * 86_400_000L;
    };
    java.math.BigInteger millis = n.multiply(java.math.BigInteger.valueOf(unitMillis));
    if (millis.compareTo(java.math.BigInteger.valueOf(MAX.toMillis())) > 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofMillis(millis.longValueExact()));
  }

  /** How to fix a text {@link #parse} refused: the syntax, or the maximum when the syntax is right. */
  public static String fix(String text) {
    return PATTERN.matcher(text.trim()).matches() ? "write at most " + MAX_TEXT : "write " + SYNTAX;
  }

  /** Parses or throws an {@link IllegalArgumentException} naming what was expected (for CLI options). */
  public static Duration parseOrThrow(String text, String what) {
    return parse(text).orElseThrow(() ->
        new IllegalArgumentException(what + ": '" + text + "' is not " + SYNTAX + (PATTERN.matcher(text.trim())
            .matches() ? " of at most " + MAX_TEXT : "")));
  }

  /** The shortest text that parses back to the same duration. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % (7 * 86_400_000L) == 0 && ms != 0) return ms / (7 * 86_400_000L) + "w";
    if (ms % 86_400_000L == 0 && ms != 0) return ms / 86_400_000L + "d";
    if (ms % 3_600_000L == 0 && ms != 0) return ms / 3_600_000L + "h";
    if (ms % 60_000L == 0 && ms != 0) return ms / 60_000L + "m";
    if (ms % 1000L == 0) return ms / 1000L + "s";
    return ms + "ms";
  }
}
