package io.tidemark.definitions;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written as {@code <number><unit>}: ms, s, m, h, d, w (e.g. {@code 90d}, {@code 6h}, {@code 500ms}). */
public final class Durations {
  private static final Pattern PATTERN = Pattern.compile("^(\\d+)(ms|s|m|h|d|w)$");
  public static final String SYNTAX = "a duration like 500ms, 30s, 15m, 6h, 90d or 2w";

  private Durations() {}

  public static Optional<Duration> parse(String text) {
    Matcher m = PATTERN.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    return Optional.of(switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofDays(7 * n);
    });
  }

  /** Parses or throws an {@link IllegalArgumentException} naming what was expected (for CLI options). */
  public static Duration parseOrThrow(String text, String what) {
    return parse(text).orElseThrow(() ->
        new IllegalArgumentException(what + ": '" + text + "' is not " + SYNTAX));
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
