package io.tidemark.cli;

import io.tidemark.definitions.SourceFormat;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --format}, {@code --spine-format}: csv, json, parquet or delta (a wrong one is a bad command line). */
final class SourceFormats implements ITypeConverter<SourceFormat> {
  @Override
  public SourceFormat convert(String text) {
    return SourceFormat.parse(text).orElseThrow(() -> new TypeConversionException(
        "unknown format '" + text + "'; use one of " + SourceFormat.allowedNames()));
  }
}
