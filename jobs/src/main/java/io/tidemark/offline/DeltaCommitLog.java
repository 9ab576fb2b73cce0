package io.tidemark.offline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A Delta table's newest commit, read from its log as the Delta protocol lays it out: the commit files
 * {@code _delta_log/<20-digit version>.json}, the newest one's {@code commitInfo} action, and its file's modification
 * time as the commit time (what {@code DESCRIBE HISTORY} reports unless in-commit timestamps are on, whose value then
 * wins). Delta's {@code DeltaTable.history(1)} answers the same through a Spark job and Scala reflection, seconds in a
 * short job's fresh JVM (measured with {@code ./bench small}); this is one listing and one small file.
 * {@code DeltaCommitLogTest} holds the two to the same answers.
 */
final class DeltaCommitLog {
  private static final Pattern COMMIT_FILE = Pattern.compile("(\\d{20})\\.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeltaCommitLog() {}

  /** The newest commit under {@code tableLocation}, empty when it has no Delta log (yet). */
  static Optional<OfflineTable.Commit> newest(String tableLocation, Configuration hadoopConf) {
    Path log = new Path(tableLocation, "_delta_log");
    try {
      FileSystem fs = log.getFileSystem(hadoopConf);
      FileStatus[] files;
      try {
        files = fs.listStatus(log);
      } catch (FileNotFoundException e) {
        return Optional.empty();
      }
      FileStatus newest = null;
      long version = -1;
      for (FileStatus f : files) {
        Matcher m = COMMIT_FILE.matcher(f.getPath().getName());
        long v = m.matches() ? Long.parseLong(m.group(1)) : -1;
        if (v > version) {
          version = v;
          newest = f;
        }
      }
      return newest == null ? Optional.empty() : Optional.of(read(fs, newest, version));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Delta log at " + log + ": " + e.getMessage(), e);
    }
  }

  private static OfflineTable.Commit read(FileSystem fs, FileStatus file, long version) throws IOException {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file.getPath()),
        StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        JsonNode info = line.isBlank() ? null : JSON.readTree(line).get("commitInfo");
        if (info != null) {
          Instant time = Instant.ofEpochMilli(info.hasNonNull("inCommitTimestamp")
              ? info.get("inCommitTimestamp").asLong() : file.getModificationTime());
          Map<String, String> metrics = new LinkedHashMap<>();
          info.path("operationMetrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asText()));
          return new OfflineTable.Commit(version, time, info.path("operation").asText(), Map.copyOf(metrics));
        }
      }
    }
    // a commit without provenance (the protocol makes commitInfo optional): its version and file time are known
    return new OfflineTable.Commit(version, Instant.ofEpochMilli(file.getModificationTime()), "", Map.of());
  }
}
