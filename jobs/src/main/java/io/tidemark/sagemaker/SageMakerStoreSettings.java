package io.tidemark.sagemaker;

import io.tidemark.definitions.Durations;
import io.tidemark.definitions.OfflineSettings;
import io.tidemark.definitions.OnlineSettings;
import io.tidemark.definitions.StorageFormat;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A SageMaker group's settings beside its features as Tidemark settings: tags and owner, {@code OnlineStoreConfig},
 * {@code OfflineStoreConfig} and {@code ThroughputConfig}. What Tidemark sets elsewhere (in tidemark.yaml) or not
 * at all is reported, not carried.
 */
final class SageMakerStoreSettings {
  private final Optional<String> ownerOption;
  private final List<String> problems;
  private final List<String> report;
  private final Map<String, String> comments;

  /** @param ownerOption {@code --owner}, which wins over the {@code owner} tag */
  SageMakerStoreSettings(Optional<String> ownerOption, ConversionFindings findings) {
    this.ownerOption = ownerOption;
    this.problems = findings.problems;
    this.report = findings.report;
    this.comments = findings.comments;
  }

  Map<String, String> tags(SageMakerJsonObject group) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (SageMakerJsonObject t : group.objects("Tags")) {
      t.reportUnknown(List.of("Key", "Value"), Set.of());
      t.requiredText("Key").ifPresent(k -> tags.put(k, t.text("Value").orElse("")));
    }
    return tags;
  }

  /** SageMaker has no owner: --owner, else the tag {@code owner} (taken out of the tags), else none. */
  String owner(Map<String, String> tags) {
    String tag = tags.remove("owner");
    if (ownerOption.isPresent()) {
      if (tag != null && !tag.equals(ownerOption.get())) {
        report.add("Tags owner '" + tag + "': replaced by --owner '" + ownerOption.get() + "'");
      }
      return ownerOption.get();
    }
    if (tag != null) {
      comments.put("owner", "SageMaker tag 'owner'");
      return tag;
    }
    report.add("owner: SageMaker groups have none and there is no 'owner' tag; the definition has no owner (pass "
        + "--owner to set one)");
    return "";
  }

  OnlineSettings online(SageMakerJsonObject group) {
    Optional<SageMakerJsonObject> config = group.object("OnlineStoreConfig");
    if (config.isEmpty()) {
      return OnlineSettings.disabled();
    }
    SageMakerJsonObject o = config.get();
    o.reportUnknown(List.of("EnableOnlineStore", "TtlDuration", "SecurityConfig", "StorageType"), Set.of());
    boolean enabled = o.bool("EnableOnlineStore").orElse(false);
    Optional<Duration> ttl = o.object("TtlDuration").flatMap(t -> {
      t.reportUnknown(List.of("Unit", "Value"), Set.of());
      Optional<String> unit = t.requiredText("Unit");
      Optional<Long> value = t.whole("Value");
      if (value.isEmpty()) {
        problems.add(t.path("Value") + " is missing or not a whole number");
      }
      if (unit.isEmpty() || value.isEmpty()) {
        return Optional.empty();
      }
      Optional<Duration> d = SageMakerImport.ttl(unit.get(), value.get());
      if (d.isEmpty()) {
        problems.add(t.path("Unit") + " is '" + unit.get() + "' (SageMaker's units are "
            + String.join(", ", SageMakerImport.TTL_UNITS.keySet()) + ")");
      } else if (value.get() < 1 || d.get().compareTo(Durations.MAX) > 0) {
        problems.add(t.path("Value") + " is " + value.get() + " " + unit.get() + "; Tidemark takes 1 second to "
            + Durations.MAX.toDays() + " days");
        return Optional.empty();
      } else {
        comments.put("online.ttl", "SageMaker TtlDuration " + value.get() + " " + unit.get());
      }
      return d;
    });
    o.object("SecurityConfig").ifPresent(s -> {
      s.reportUnknown(List.of("KmsKeyId"), Set.of());
      s.text("KmsKeyId").ifPresent(k -> report.add(s.path("KmsKeyId") + " '" + k + "': not carried per group; "
          + "Tidemark encrypts its online tables with online.kms_key in tidemark.yaml"));
    });
    o.text("StorageType").filter(t -> !t.equals("Standard")).ifPresent(t -> report.add(o.path("StorageType")
        + " '" + t + "': not carried; Tidemark's online store is DynamoDB (Standard)"));
    return new OnlineSettings(enabled, ttl);
  }

  Optional<String> offlineS3Uri(SageMakerJsonObject o) {
    Optional<SageMakerJsonObject> s3 = o.object("S3StorageConfig");
    if (s3.isEmpty()) {
      problems.add(o.path("S3StorageConfig") + " is missing (SageMaker requires it in an OfflineStoreConfig)");
      return Optional.empty();
    }
    s3.get().reportUnknown(List.of("S3Uri", "KmsKeyId"), Set.of("ResolvedOutputS3Uri"));
    s3.get().text("KmsKeyId").ifPresent(k -> report.add(s3.get().path("KmsKeyId") + " '" + k + "': not carried "
        + "per group; Tidemark encrypts what it writes to S3 with s3.kms_key in tidemark.yaml"));
    Optional<String> uri = s3.get().requiredText("S3Uri");
    uri.ifPresent(u -> report.add(s3.get().path("S3Uri") + " '" + u + "': kept as sagemaker.offline_s3_uri for "
        + "export-sagemaker; Tidemark keeps its history under offline.root (tidemark.yaml), and the SageMaker "
        + "history is not copied"));
    return uri;
  }

  OfflineSettings offline(SageMakerJsonObject o) {
    o.reportUnknown(List.of("S3StorageConfig", "TableFormat", "DataCatalogConfig", "DisableGlueTableCreation"),
        Set.of());
    o.object("DataCatalogConfig").ifPresent(c -> {
      c.reportUnknown(List.of("TableName", "Catalog", "Database"), Set.of());
      report.add(o.path("DataCatalogConfig") + " " + c.text("Database").orElse("?") + "."
          + c.text("TableName").orElse("?") + ": not carried; Tidemark registers the table as "
          + "<catalog.database>.<group> (catalog.database in tidemark.yaml)");
    });
    o.bool("DisableGlueTableCreation").filter(b -> b).ifPresent(b -> report.add(o.path("DisableGlueTableCreation")
        + " true: not carried; Tidemark always registers its offline table in the catalog"));
    String format = o.text("TableFormat").orElse("Glue");
    switch (format) {
      case "Glue" -> {
        comments.put("offline.format", "SageMaker TableFormat Glue: Parquet files registered in Glue");
        return new OfflineSettings(StorageFormat.PARQUET, true);
      }
      case "Iceberg" -> {
        comments.put("offline.format", "SageMaker TableFormat Iceberg (Tidemark has delta instead)");
        report.add(o.path("TableFormat") + " 'Iceberg': Tidemark has no Iceberg tables; the group uses delta, "
            + "Tidemark's transactional table format");
        return new OfflineSettings(StorageFormat.DELTA, true);
      }
      default -> {
        problems.add(o.path("TableFormat") + " is '" + format + "' (SageMaker's formats are Glue and Iceberg)");
        return new OfflineSettings(StorageFormat.DELTA, true);
      }
    }
  }

  void throughput(SageMakerJsonObject t) {
    t.reportUnknown(List.of("ThroughputMode", "ProvisionedReadCapacityUnits", "ProvisionedWriteCapacityUnits"),
        Set.of());
    // OnDemand is what Tidemark's DynamoDB tables are (pay per request): nothing to report
    t.text("ThroughputMode").filter(m -> !m.equals("OnDemand")).ifPresent(m -> report.add(t.path("ThroughputMode")
        + " '" + m + "': not carried; Tidemark's online tables are on demand, with online.write_capacity in "
        + "tidemark.yaml to limit the write rate"));
  }
}
