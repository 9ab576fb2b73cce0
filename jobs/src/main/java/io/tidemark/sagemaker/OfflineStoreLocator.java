package io.tidemark.sagemaker;

import io.tidemark.sagemaker.SageMakerOfflineStore.Layout;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;

/**
 * Finds a SageMaker offline store's data from the location a user gives (the group's folder, its {@code data/}
 * folder or an Iceberg metadata file) and tells its layout apart: Iceberg when {@code metadata/*.metadata.json}
 * exists, else Glue's Parquet files. Only lists files (Hadoop {@link FileSystem}); reading them is
 * {@link SageMakerOfflineStore}'s.
 */
final class OfflineStoreLocator {
  /** Where Iceberg keeps a table's metadata, below the table's folder. */
  private static final String METADATA_DIR = "metadata";
  /** Where SageMaker writes the data files, below the group's folder (both layouts). */
  private static final String DATA_DIR = "data";
  private static final String METADATA_SUFFIX = ".metadata.json";
  /** {@code 00003-<uuid>.metadata.json} (Glue, Hive catalogs), {@code v3.metadata.json} (Hadoop catalog). */
  private static final Pattern METADATA_VERSION =
      Pattern.compile("(?:v(\\d+)|(\\d+)-[^.]+)(?:\\.gz)?\\.metadata\\.json");

  private OfflineStoreLocator() {}

  /**
   * Where the data is and in which layout.
   *
   * @param source the Parquet data folder (glue) or the Iceberg metadata file (iceberg)
   */
  record Located(Layout layout, Path source) {}

  /** Finds the data at {@code location}; every refusal names the location and what was expected there. */
  static Located locate(SparkSession spark, String location, Optional<Layout> asked) {
    Path path = new Path(location);
    FileSystem fs = fileSystem(spark, path, location);
    FileStatus status = status(fs, path, location).orElseThrow(() -> new IllegalArgumentException(
        "SageMaker offline store location '" + location + "' does not exist; give the feature group's folder "
            + "(.../offline-store/<group>-<epoch>), its data/ folder (ResolvedOutputS3Uri of DescribeFeatureGroup) or "
            + "an Iceberg metadata file (.../metadata/<version>.metadata.json)"));
    if (status.isFile()) {
      if (!path.getName().endsWith(METADATA_SUFFIX)) {
        throw new IllegalArgumentException("SageMaker offline store location '" + location + "' is a file, not an "
            + "Iceberg metadata file (*.metadata.json); give the feature group's folder instead");
      }
      if (asked.equals(Optional.of(Layout.GLUE))) {
        throw new IllegalArgumentException("SageMaker offline store location '" + location + "' is an Iceberg "
            + "metadata file; read it with layout iceberg");
      }
      return new Located(Layout.ICEBERG, path);
    }
    Path table = path.getName().equals(DATA_DIR) && path.getParent() != null ? path.getParent() : path;
    Optional<Path> metadata = newestMetadata(fs, new Path(table, METADATA_DIR), location);
    Layout layout = asked.orElse(metadata.isPresent() ? Layout.ICEBERG : Layout.GLUE);
    if (layout == Layout.ICEBERG) {
      if (metadata.isEmpty()) {
        throw new IllegalArgumentException("SageMaker offline store location '" + location + "' is not an Iceberg "
            + "table: no " + new Path(table, METADATA_DIR) + "/*.metadata.json" + (hasDataFiles(fs, path, location)
            ? " (it has Parquet files: read it with layout glue)" : ""));
      }
      return new Located(layout, metadata.get());
    }
    if (metadata.isPresent()) {
      throw new IllegalArgumentException("SageMaker offline store location '" + location + "' holds an Iceberg table "
          + "(" + metadata.get() + "); read it with layout iceberg: its data/ folder also holds files Iceberg has "
          + "replaced (compaction) or deleted, which a glue read would count again");
    }
    Path data = new Path(path, DATA_DIR);
    Path source = status(fs, data, location).filter(FileStatus::isDirectory).isPresent() ? data : path;
    if (!hasDataFiles(fs, source, location)) {
      throw new IllegalArgumentException("SageMaker offline store location '" + location + "' has no data: no "
          + "Parquet files under " + source + " (SageMaker writes them under data/year=YYYY/month=MM/day=DD/hour=HH/ "
          + "within 15 minutes of PutRecord)");
    }
    return new Located(layout, source);
  }

  /** The newest {@code *.metadata.json} in {@code metadataDir} (highest version number), if the folder has one. */
  static Optional<Path> newestMetadata(FileSystem fs, Path metadataDir, String location) {
    FileStatus[] files;
    try {
      if (!fs.exists(metadataDir)) {
        return Optional.empty();
      }
      files = fs.listStatus(metadataDir, p -> p.getName().endsWith(METADATA_SUFFIX));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + metadataDir + " (SageMaker offline store '" + location + "')", e);
    }
    Path newest = null;
    long newestVersion = -1;
    for (FileStatus f : files) {
      Matcher m = METADATA_VERSION.matcher(f.getPath().getName());
      long v = m.matches() ? Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2)) : -1;
      // an unnumbered name only when nothing is numbered; equal versions by name, so the choice is stable
      if (newest == null || v > newestVersion
          || (v == newestVersion && f.getPath().getName().compareTo(newest.getName()) > 0)) {
        newest = new Path(metadataDir, f.getPath().getName());
        newestVersion = v;
      }
    }
    return Optional.ofNullable(newest);
  }

  /** True when a data (not hidden: no leading {@code _} or {@code .}) file lies anywhere below {@code dir}. */
  private static boolean hasDataFiles(FileSystem fs, Path dir, String location) {
    try {
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
      while (it.hasNext()) {
        Path p = it.next().getPath();
        if (!hidden(p, dir)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + " (SageMaker offline store '" + location + "')", e);
    }
  }

  /** Spark skips files and folders whose names start with _ or . (but reads partition folders like a=_b). */
  private static boolean hidden(Path p, Path root) {
    Path q = p;
    for (int below = p.depth() - root.depth(); below > 0 && q != null; below--, q = q.getParent()) {
      String n = q.getName();
      if ((n.startsWith("_") && !n.contains("=")) || n.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static FileSystem fileSystem(SparkSession spark, Path path, String location) {
    try {
      return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot open SageMaker offline store location '" + location + "': "
          + e.getMessage(), e);
    }
  }

  private static Optional<FileStatus> status(FileSystem fs, Path path, String location) {
    try {
      return Optional.of(fs.getFileStatus(path));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + " (SageMaker offline store '" + location + "')", e);
    }
  }
}
