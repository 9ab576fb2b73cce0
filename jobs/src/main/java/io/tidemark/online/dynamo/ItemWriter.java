package io.tidemark.online.dynamo;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Where items are written to DynamoDB: puts and deletes go to one table in BatchWriteItem requests of up to
 * {@link #BATCH}, their unprocessed items and throttled or failed requests retried by {@link Retrying}. A batch
 * DynamoDB refuses as too large is sent one item at a time; an item it refuses alone is reported, not written.
 * The fence is checked before every request. Safe for several threads (the counts are adders).
 */
public final class ItemWriter {
  /** BatchWriteItem's limit. */
  public static final int BATCH = 25;

  private final DynamoDbClient client;
  private final String table;
  private final String key;
  private final WriteFence fence;
  private final LongConsumer progress;
  private final BiConsumer<Object, String> refused;
  private final LongAdder written = new LongAdder();
  private final LongAdder deleted = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder requests = new LongAdder();

  /**
   * @param key the table's key attribute (names a refused item's record)
   * @param progress told how many items each request processed
   * @param refused told the record id and DynamoDB's reason of an item it refused as too large
   */
  public ItemWriter(DynamoDbClient client, String table, String key, WriteFence fence, LongConsumer progress,
      BiConsumer<Object, String> refused) {
    this.client = client;
    this.table = table;
    this.key = key;
    this.fence = fence;
    this.progress = progress;
    this.refused = refused;
  }

  /** Writes up to {@link #BATCH} puts and deletes; returns when all are processed, throws when it gives up. */
  public void write(List<WriteRequest> batch) {
    List<WriteRequest> pending = batch;
    for (int attempt = 0; ; attempt++) {
      if (attempt >= Retrying.MAX_ATTEMPTS) {
        throw new IllegalStateException(pending.size() + " items of " + table + " were still unprocessed or "
            + "throttled after " + Retrying.MAX_ATTEMPTS + " attempts; lower online.write_capacity or raise the "
            + "table's capacity, then re-run");
      }
      if (attempt > 0) {
        retries.increment();
        Retrying.pause(attempt);
      }
      fence.check();
      List<WriteRequest> sending = pending;
      BatchWriteItemResponse r;
      try {
        requests.increment();
        r = client.batchWriteItem(b -> b.requestItems(Map.of(table, sending)));
      } catch (SdkException e) {
        if (tooLarge(e)) {
          // DynamoDB sized an item above our estimate: find which, one by one
          sending.forEach(this::single);
          return;
        }
        if (!Retrying.retryable(e)) {
          throw e;
        }
        continue;
      }
      List<WriteRequest> left = r.unprocessedItems().getOrDefault(table, List.of());
      long deletes = deletes(sending) - deletes(left);
      written.add(sending.size() - left.size() - deletes);
      deleted.add(deletes);
      progress.accept(sending.size() - left.size());
      if (left.isEmpty()) {
        return;
      }
      pending = left;
    }
  }

  public long written() {
    return written.sum();
  }

  public long deleted() {
    return deleted.sum();
  }

  public long retries() {
    return retries.sum();
  }

  public long requests() {
    return requests.sum();
  }

  private static long deletes(List<WriteRequest> requests) {
    return requests.stream().filter(w -> w.deleteRequest() != null).count();
  }

  /** One put or delete on its own, after DynamoDB refused a batch as too large. */
  private void single(WriteRequest w) {
    fence.check();
    if (w.deleteRequest() != null) {
      Retrying.call(() -> client.deleteItem(b -> b.tableName(table).key(w.deleteRequest().key())), this::attempted);
      deleted.increment();
      progress.accept(1);
      return;
    }
    Map<String, AttributeValue> item = w.putRequest().item();
    try {
      Retrying.call(() -> client.putItem(PutItemRequest.builder().tableName(table).item(item).build()),
          this::attempted);
      written.increment();
      progress.accept(1);
    } catch (SdkException e) {
      if (!tooLarge(e)) {
        throw e;
      }
      AttributeValue k = item.get(key);
      refused.accept(k.s() != null ? k.s() : k.n(), "rejected by DynamoDB: " + e.getMessage());
    }
  }

  private void attempted(int attempt) {
    requests.increment();
    if (attempt > 0) {
      retries.increment();
    }
  }

  private static boolean tooLarge(SdkException e) {
    return e instanceof AwsServiceException s && s.awsErrorDetails() != null
        && "ValidationException".equals(s.awsErrorDetails().errorCode())
        && String.valueOf(s.awsErrorDetails().errorMessage()).toLowerCase().contains("size");
  }
}
