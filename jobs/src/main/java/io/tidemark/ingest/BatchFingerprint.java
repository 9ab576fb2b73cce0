package io.tidemark.ingest;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * Identifies a batch by what it reads: the input files (path, size, modification time), the definition, the
 * transform and the mode. The same input ingested twice has the same id, so the second run writes nothing.
 */
final class BatchFingerprint {
  private BatchFingerprint() {}

  static String of(String[] inputFiles, Configuration hadoopConf, FeatureGroup group, Optional<Path> transform,
      RowValidator.Mode mode, String sourceOptions) {
    StringBuilder text = new StringBuilder();
    text.append("mode=").append(mode).append('\n');
    text.append("definition=").append(group.contentHash()).append('\n');
    text.append("options=").append(sourceOptions).append('\n');
    transform.ifPresent(t -> {
      try {
        text.append("transform=").append(Hashing.sha256Hex(Files.readAllBytes(t))).append('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    String[] files = inputFiles.clone();
    Arrays.sort(files);
    for (String f : files) {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(f);
      try {
        FileSystem fs = p.getFileSystem(hadoopConf);
        FileStatus st = fs.getFileStatus(p);
        text.append(f).append('|').append(st.getLen()).append('|').append(st.getModificationTime()).append('\n');
      } catch (IOException e) {
        throw new UncheckedIOException("cannot stat input file " + f, e);
      }
    }
    return Hashing.sha256Hex(text.toString());
  }
}
