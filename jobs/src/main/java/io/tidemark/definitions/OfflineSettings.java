package io.tidemark.definitions;

/** How the group's append-only history is stored. */
public record OfflineSettings(StorageFormat format, boolean partitionByEventDate) {}
