package io.tidemark.cli;

import io.tidemark.definitions.SourceFormat;

final class SourceFormats {
  private SourceFormats() {}

  static SourceFormat parse(String text) {
    return SourceFormat.parse(text).orElseThrow(() -> new IllegalArgumentException(
        "unknown format '" + text + "'; use one of " + SourceFormat.allowedNames()));
  }
}
