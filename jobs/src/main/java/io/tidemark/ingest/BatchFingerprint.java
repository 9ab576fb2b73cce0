package io.tidemark.ingest;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * Identifies a batch by what it reads: the content of the input files, the definition, the transform, the reader
 * options and the mode. The same content ingested twice has the same id, so the second run writes nothing, whatever
 * the files are called or when they were last touched. A file's content is identified by its size and its S3 ETag
 * (S3A), else its file system checksum (HDFS), else the SHA-256 of its bytes (local files: read once more).
 *
 * <p>{@link #legacy} is the id of earlier versions (path, size, modification time), looked up too, so an input
 * committed before the content rule is not ingested again.
 */
final class BatchFingerprint {
  private BatchFingerprint() {}

  static String of(String[] inputFiles, Configuration hadoopConf, FeatureGroup group, Optional<Path> transform,
      RowValidator.Mode mode, String sourceOptions) {
    List<String> contents = new ArrayList<>();
    for (String f : inputFiles) {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(f);
      try {
        FileSystem fs = p.getFileSystem(hadoopConf);
        FileStatus st = fs.getFileStatus(p);
        contents.add(st.getLen() + "|" + contentId(fs, st));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read input file " + f + " to fingerprint it", e);
      }
    }
    contents.sort(null);
    return Hashing.sha256Hex(header(group, transform, mode, sourceOptions) + "content\n"
        + String.join("\n", contents) + "\n");
  }

  /** The id earlier versions gave the same input: input paths, sizes and modification times. */
  static String legacy(String[] inputFiles, Configuration hadoopConf, FeatureGroup group, Optional<Path> transform,
      RowValidator.Mode mode, String sourceOptions) {
    StringBuilder text = new StringBuilder(header(group, transform, mode, sourceOptions));
    String[] files = inputFiles.clone();
    java.util.Arrays.sort(files);
    for (String f : files) {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(f);
      try {
        FileStatus st = p.getFileSystem(hadoopConf).getFileStatus(p);
        text.append(f).append('|').append(st.getLen()).append('|').append(st.getModificationTime()).append('\n');
      } catch (IOException e) {
        throw new UncheckedIOException("cannot stat input file " + f, e);
      }
    }
    return Hashing.sha256Hex(text.toString());
  }

  private static String header(FeatureGroup group, Optional<Path> transform, RowValidator.Mode mode,
      String sourceOptions) {
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
    return text.toString();
  }

  private static String contentId(FileSystem fs, FileStatus st) throws IOException {
    if (st instanceof EtagSource e && e.getEtag() != null && !e.getEtag().isEmpty()) {
      return "etag:" + e.getEtag();
    }
    FileChecksum checksum = fs.getFileChecksum(st.getPath());
    if (checksum != null) {
      return checksum.getAlgorithmName() + ":" + HexFormat.of().formatHex(checksum.getBytes());
    }
    try (InputStream in = fs.open(st.getPath())) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
      return "sha256:" + HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
