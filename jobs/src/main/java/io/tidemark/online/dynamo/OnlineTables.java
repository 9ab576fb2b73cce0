package io.tidemark.online.dynamo;

import io.tidemark.definitions.FeatureType;
import io.tidemark.online.dynamo.OnlineConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.SSESpecification;
import software.amazon.awssdk.services.dynamodb.model.SSEType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * DynamoDB table management: one table per online group and version ({@code <prefix><group>__v<n>}), partition key
 * = the record identifier, on-demand billing, TTL on {@code expires_at} when the group has an online TTL, and the
 * configured KMS key.
 */
public final class OnlineTables {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineTables.class);
  private final DynamoDbClient client;
  private final boolean localServer;
  private final OnlineConfig config;

  public OnlineTables(DynamoConnection connection, OnlineConfig config) {
    this.client = connection.reader();
    this.localServer = connection.localServer();
    this.config = config;
  }

  public String versionTable(String group, long version) {
    return config.tablePrefix() + group + "__v" + version;
  }

  /** Creates a table and waits until it is active; with TTL enabled when the schema has a TTL. */
  void create(String table, String key, ScalarAttributeType keyType, Optional<ItemSchema> ttlOf) {
    CreateTableRequest.Builder request = CreateTableRequest.builder().tableName(table)
        .attributeDefinitions(AttributeDefinition.builder().attributeName(key).attributeType(keyType).build())
        .keySchema(KeySchemaElement.builder().attributeName(key).keyType(KeyType.HASH).build())
        .billingMode(BillingMode.PAY_PER_REQUEST);
    config.kmsKey().ifPresent(k -> request.sseSpecification(SSESpecification.builder().enabled(true)
        .sseType(SSEType.KMS).kmsMasterKeyId(k).build()));
    try {
      client.createTable(request.build());
    } catch (ResourceInUseException e) {
      // created meanwhile by another run: fine, it has the same shape
    }
    waitUntilActive(table);
    ttlOf.filter(ItemSchema::hasTtl).ifPresent(s -> ensureTtl(table));
  }

  /**
   * The SDK's own waiter asks again after 20 s; a table is often active within a second (at once on a local
   * server, where one unlucky first look cost the demo 20 s), so this one asks after 100 ms, doubling up to 5 s.
   */
  private void waitUntilActive(String table) {
    try (DynamoDbWaiter waiter = DynamoDbWaiter.builder().client(client).overrideConfiguration(o -> o
        .backoffStrategyV2(BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(5)))
        .maxAttempts(200).waitTimeout(Duration.ofMinutes(15))).build()) {
      waiter.waitUntilTableExists(b -> b.tableName(table));
    }
  }

  public void createGroupTable(String table, ItemSchema schema) {
    create(table, schema.key(), keyType(schema), Optional.of(schema));
  }

  /**
   * Turns on TTL on {@code expires_at} unless it is on (the group may have gained an online TTL). A local server
   * without TTL (dynalite has no UpdateTimeToLive) is told too, and its refusal is fine: readers hide expired items
   * themselves, and nothing there sweeps them. On AWS a failure stays a failure.
   */
  public void ensureTtl(String table) {
    TimeToLiveStatus status = client.describeTimeToLive(b -> b.tableName(table)).timeToLiveDescription()
        .timeToLiveStatus();
    if (status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING) {
      return;
    }
    try {
      client.updateTimeToLive(b -> b.tableName(table).timeToLiveSpecification(
          t -> t.enabled(true).attributeName(ItemSchema.EXPIRES_AT)));
    } catch (DynamoDbException e) {
      boolean unsupported = e.awsErrorDetails() != null
          && "UnknownOperationException".equals(e.awsErrorDetails().errorCode());
      if (!(localServer && unsupported)) {
        throw e;
      }
      LOG.debug("{}: the local DynamoDB server has no TTL; expired items stay stored and readers hide them", table);
    }
  }

  /** Fails when the live table's key no longer matches the definition (renamed or retyped identifier). */
  public void checkKey(String table, ItemSchema schema) {
    TableDescription d = describe(table).orElseThrow(() -> new IllegalStateException("online table " + table
        + " of group " + schema.group() + " is missing; run: tidemark materialize " + schema.group() + " --full"));
    String key = d.keySchema().get(0).attributeName();
    ScalarAttributeType type = d.attributeDefinitions().stream().filter(a -> a.attributeName().equals(key))
        .findFirst().orElseThrow().attributeType();
    if (!key.equals(schema.key()) || type != keyType(schema)) {
      throw new IllegalStateException("online table " + table + " is keyed by " + key + " (" + type + ") but group "
          + schema.group() + " now identifies records by " + schema.key() + " (" + keyType(schema) + "); run: "
          + "tidemark materialize " + schema.group() + " --full");
    }
  }

  Optional<TableDescription> describe(String table) {
    try {
      return Optional.of(client.describeTable(b -> b.tableName(table)).table());
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  public void delete(String table) {
    try {
      client.deleteTable(b -> b.tableName(table));
    } catch (ResourceNotFoundException e) {
      // already gone
    }
  }

  public List<String> list() {
    return client.listTablesPaginator(b -> b.build()).tableNames().stream().toList();
  }

  static ScalarAttributeType keyType(ItemSchema schema) {
    return schema.keyType() == FeatureType.INTEGRAL ? ScalarAttributeType.N : ScalarAttributeType.S;
  }
}
