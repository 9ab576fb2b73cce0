package io.tidemark.runtime;

import io.tidemark.config.TidemarkConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * Lets {@code --definitions} and {@code --config} name s3:// (or any Hadoop) locations, as an EMR step in cluster
 * mode needs: the files are copied to a local temporary folder first. For definitions, the project's {@code sql/}
 * folder beside them is copied too, so transform paths keep working.
 */
public final class RemoteFiles {
  private RemoteFiles() {}

  public static boolean isRemote(String location) {
    return location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !location.startsWith("file:");
  }

  /** A local file as is; a remote one copied to a temp folder first (read with Hadoop's default settings). */
  public static Path local(String location) {
    return isRemote(location) ? localFile(location, new Configuration()) : Path.of(location);
  }

  /** The same, reading a remote file with the config's {@code s3.*} settings. */
  public static Path local(String location, TidemarkConfig config) {
    if (!isRemote(location)) {
      return Path.of(location);
    }
    Configuration conf = new Configuration();
    S3Settings.apply(conf, config);
    return localFile(location, conf);
  }

  /**
   * A local definitions folder as is; a remote one copied with {@code <root>/sql} beside it to a temp project.
   * Returns the local definitions folder.
   */
  public static Path localDefinitions(String location) {
    if (!isRemote(location)) {
      return Path.of(location);
    }
    org.apache.hadoop.fs.Path defs = new org.apache.hadoop.fs.Path(location);
    Path project = tempDir("tidemark-project");
    copyTree(defs, project.resolve(defs.getName()));
    org.apache.hadoop.fs.Path sql = new org.apache.hadoop.fs.Path(defs.getParent(), "sql");
    if (exists(sql)) {
      copyTree(sql, project.resolve("sql"));
    }
    return project.resolve(defs.getName());
  }

  /** Copies one file to a temp folder, reading it with {@code conf}. */
  private static Path localFile(String location, Configuration conf) {
    Path dir = tempDir("tidemark-config");
    org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(location);
    Path target = dir.resolve(src.getName());
    try {
      src.getFileSystem(conf).copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(
          target.toUri()), true);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + location + ": " + e.getMessage(), e);
    }
    return target;
  }

  private static boolean exists(org.apache.hadoop.fs.Path p) {
    try {
      return p.getFileSystem(new Configuration()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyTree(org.apache.hadoop.fs.Path src, Path target) {
    try {
      FileSystem fs = src.getFileSystem(new Configuration());
      Files.createDirectories(target);
      for (FileStatus st : fs.listStatus(src)) {
        if (st.isFile()) {
          fs.copyToLocalFile(false, st.getPath(),
              new org.apache.hadoop.fs.Path(target.resolve(st.getPath().getName()).toUri()), true);
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot copy " + src + ": " + e.getMessage(), e);
    }
  }

  private static Path tempDir(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
