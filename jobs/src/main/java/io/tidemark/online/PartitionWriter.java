package io.tidemark.online;

import io.tidemark.offline.MetadataColumns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes one partition of a snapshot on an executor: converts rows to items, keeps {@code concurrency} requests in
 * flight, paces them with this task's token bucket, retries throttling and unprocessed items with backoff, and
 * counts every record into exactly one of written, skipped as stale, deleted or oversized.
 */
final class PartitionWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionWriter.class);
  private static final int BATCH = 25;
  private static final long LOG_EVERY_NANOS = 15_000_000_000L;
  private static final String NEWER_WINS = "attribute_not_exists(#k) OR #et < :et";
  private static final String DELETE_IF_NOT_NEWER = "attribute_not_exists(#k) OR #et <= :et";

  private final WriteJob job;
  private final int partition;
  private final LongAccumulator progress;
  private final DynamoDbClient client;
  private final TokenBucket bucket;
  private final LongAdder records = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final LongAdder stale = new LongAdder();
  private final LongAdder deleted = new LongAdder();
  private final LongAdder oversized = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final List<String> oversizedIds = Collections.synchronizedList(new ArrayList<>());
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Semaphore inFlight;
  private final ExecutorService pool;
  private List<WriteRequest> batch = new ArrayList<>(BATCH);
  private int batchUnits;

  PartitionWriter(WriteJob job, int partition, LongAccumulator progress) {
    this.job = job;
    this.partition = partition;
    this.progress = progress;
    this.client = job.connection().writer();
    this.bucket = new TokenBucket(job.unitsPerSecond());
    this.inFlight = new Semaphore(job.concurrency() * 2);
    this.pool = Executors.newFixedThreadPool(job.concurrency(), r -> {
      Thread t = new Thread(r, "tidemark-ddb-" + job.schema().group() + "-" + partition);
      t.setDaemon(true);
      return t;
    });
  }

  WriteStats write(Iterator<Row> rows) {
    long start = System.nanoTime();
    long nextLog = start + LOG_EVERY_NANOS;
    try {
      int[] idx = null;
      while (rows.hasNext()) {
        Row row = rows.next();
        if (idx == null) {
          idx = indexes(row);
        }
        failIfAnyFailed();
        records.increment();
        accept(row, idx);
        if (System.nanoTime() > nextLog) {
          nextLog = System.nanoTime() + LOG_EVERY_NANOS;
          double secs = (System.nanoTime() - start) / 1e9;
          LOG.info("materialize {} -> {}: task {}: {} records so far, {} written ({}/s), {} retries",
              job.schema().group(), job.table(), partition, records.sum(), written.sum(),
              Math.round(written.sum() / secs), retries.sum());
        }
      }
      flushBatch();
      pool.shutdown();
      while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
        failIfAnyFailed();
      }
      failIfAnyFailed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing " + job.table(), e);
    } finally {
      pool.shutdownNow();
    }
    return new WriteStats(records.sum(), written.sum(), stale.sum(), deleted.sum(), oversized.sum(), retries.sum(),
        requests.sum(), oversizedIds);
  }

  private int[] indexes(Row row) {
    ItemSchema s = job.schema();
    int[] idx = new int[4 + s.values().size() + 1];
    idx[0] = row.fieldIndex(s.key());
    idx[1] = row.fieldIndex(s.eventTimeFeature());
    idx[2] = row.fieldIndex(MetadataColumns.WRITE_TIME);
    idx[3] = row.fieldIndex(MetadataColumns.IS_DELETED);
    for (int i = 0; i < s.values().size(); i++) {
      idx[4 + i] = row.fieldIndex(s.values().get(i).name());
    }
    idx[idx.length - 1] = job.fresh() ? -1 : row.fieldIndex(WriteJob.FROM_CHANGES);
    return idx;
  }

  private void accept(Row row, int[] idx) throws InterruptedException {
    ItemSchema s = job.schema();
    Object id = row.get(idx[0]);
    Instant eventTime = ItemCodec.instant(row.get(idx[1]));
    Instant writeTime = ItemCodec.instant(row.get(idx[2]));
    boolean tombstone = row.getBoolean(idx[3]);
    if (!job.fresh() && !row.getBoolean(idx[idx.length - 1])) {
      // the new rows of this record are older than its winner, which an earlier run wrote: nothing to send
      stale.increment();
      return;
    }
    if (tombstone) {
      if (job.fresh()) {
        deleted.increment(); // a new table simply never gets the item
      } else {
        submit(() -> conditionalDelete(id, eventTime));
      }
      return;
    }
    Object[] values = new Object[s.values().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(idx[4 + i]);
    }
    Map<String, AttributeValue> item = ItemCodec.item(s, id, eventTime, writeTime, values);
    int bytes = ItemCodec.size(item);
    if (bytes > ItemCodec.MAX_ITEM_BYTES) {
      markOversized(id, bytes + " bytes");
      return;
    }
    int units = ItemCodec.writeUnits(bytes);
    if (job.fresh()) {
      batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
      batchUnits += units;
      if (batch.size() == BATCH) {
        flushBatch();
      }
    } else {
      submit(() -> conditionalPut(id, item, units));
    }
  }

  private void flushBatch() throws InterruptedException {
    if (batch.isEmpty()) {
      return;
    }
    List<WriteRequest> full = batch;
    int units = batchUnits;
    batch = new ArrayList<>(BATCH);
    batchUnits = 0;
    submit(() -> writeBatch(full, units));
  }

  private void submit(Task task) throws InterruptedException {
    inFlight.acquire();
    try {
      pool.execute(() -> {
        try {
          if (failure.get() == null) {
            task.run();
          }
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          inFlight.release();
        }
      });
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
  }

  private void writeBatch(List<WriteRequest> items, int units) throws InterruptedException {
    bucket.take(units);
    List<WriteRequest> pending = items;
    for (int attempt = 0; ; attempt++) {
      if (attempt >= Retrying.MAX_ATTEMPTS) {
        throw new IllegalStateException(pending.size() + " items of " + job.table() + " were still unprocessed or "
            + "throttled after " + Retrying.MAX_ATTEMPTS + " attempts; lower online.write_capacity or raise the "
            + "table's capacity, then re-run");
      }
      if (attempt > 0) {
        retries.increment();
        Retrying.pause(attempt);
      }
      List<WriteRequest> sending = pending;
      BatchWriteItemResponse r;
      try {
        requests.increment();
        r = client.batchWriteItem(b -> b.requestItems(Map.of(job.table(), sending)));
      } catch (SdkException e) {
        if (tooLarge(e)) {
          // DynamoDB sized an item above our estimate: find which, one by one
          for (WriteRequest w : sending) {
            plainPut(w.putRequest().item());
          }
          return;
        }
        if (!Retrying.retryable(e)) {
          throw e;
        }
        continue;
      }
      List<WriteRequest> left = r.unprocessedItems().getOrDefault(job.table(), List.of());
      int done = sending.size() - left.size();
      written.add(done);
      progress.add(done);
      if (left.isEmpty()) {
        return;
      }
      pending = left;
    }
  }

  private void plainPut(Map<String, AttributeValue> item) {
    try {
      call(() -> client.putItem(PutItemRequest.builder().tableName(job.table()).item(item).build()));
      written.increment();
      progress.add(1);
    } catch (SdkException e) {
      if (!tooLarge(e)) {
        throw e;
      }
      markOversized(idOf(item), "rejected by DynamoDB: " + e.getMessage());
    }
  }

  private void conditionalPut(Object id, Map<String, AttributeValue> item, int units) throws InterruptedException {
    bucket.take(units);
    PutItemRequest request = PutItemRequest.builder().tableName(job.table()).item(item)
        .conditionExpression(NEWER_WINS)
        .expressionAttributeNames(Map.of("#k", job.schema().key(), "#et", ItemSchema.EVENT_TIME))
        .expressionAttributeValues(Map.of(":et", item.get(ItemSchema.EVENT_TIME)))
        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
        .build();
    try {
      call(() -> client.putItem(request));
      written.increment();
      progress.add(1);
    } catch (ConditionalCheckFailedException e) {
      Map<String, AttributeValue> old = e.hasItem() ? e.item() : winner(item);
      if (old != null && item.get(ItemSchema.EVENT_TIME).equals(old.get(ItemSchema.EVENT_TIME))
          && item.get(ItemSchema.WRITE_TIME).equals(old.get(ItemSchema.WRITE_TIME))) {
        // this very version is there already: an earlier attempt of this load wrote it
        written.increment();
        progress.add(1);
      } else {
        stale.increment();
      }
    } catch (SdkException e) {
      if (!tooLarge(e)) {
        throw e;
      }
      markOversized(id, "rejected by DynamoDB: " + e.getMessage());
    }
  }

  /**
   * The item that won a conditional put, read back when the rejection does not carry it (DynamoDB returns it for
   * ReturnValuesOnConditionCheckFailure=ALL_OLD; dynalite ignores that): a consistent read of its versions, so a
   * retried write of this very version still counts as written.
   */
  private Map<String, AttributeValue> winner(Map<String, AttributeValue> item) {
    String key = job.schema().key();
    return call(() -> client.getItem(b -> b.tableName(job.table()).key(Map.of(key, item.get(key)))
        .consistentRead(true).projectionExpression("#et, #wt")
        .expressionAttributeNames(Map.of("#et", ItemSchema.EVENT_TIME, "#wt", ItemSchema.WRITE_TIME)))).item();
  }

  private void conditionalDelete(Object id, Instant eventTime) throws InterruptedException {
    bucket.take(1);
    DeleteItemRequest request = DeleteItemRequest.builder().tableName(job.table())
        .key(Map.of(job.schema().key(), ItemCodec.key(job.schema(), id)))
        .conditionExpression(DELETE_IF_NOT_NEWER)
        .expressionAttributeNames(Map.of("#k", job.schema().key(), "#et", ItemSchema.EVENT_TIME))
        .expressionAttributeValues(Map.of(":et", AttributeValue.builder().s(ItemCodec.time(eventTime)).build()))
        .build();
    try {
      call(() -> client.deleteItem(request));
      deleted.increment();
      progress.add(1);
    } catch (ConditionalCheckFailedException e) {
      stale.increment(); // the online item is newer than the tombstone
    }
  }

  /** One request with retries of throttling and transient failures; other failures are thrown. */
  private <T> T call(Supplier<T> request) {
    for (int attempt = 0; ; attempt++) {
      if (attempt > 0) {
        retries.increment();
        Retrying.pause(attempt);
      }
      try {
        requests.increment();
        return request.get();
      } catch (SdkException e) {
        if (!Retrying.retryable(e) || attempt + 1 >= Retrying.MAX_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private void markOversized(Object id, String why) {
    oversized.increment();
    if (oversizedIds.size() < WriteStats.MAX_IDS) {
      oversizedIds.add(String.valueOf(id));
    }
    LOG.warn("materialize {} -> {}: record {} is not written: its item is over DynamoDB's 400 KB limit ({}); "
        + "shorten its values or leave large features offline", job.schema().group(), job.table(), id, why);
  }

  private Object idOf(Map<String, AttributeValue> item) {
    AttributeValue k = item.get(job.schema().key());
    return k.s() != null ? k.s() : k.n();
  }

  private static boolean tooLarge(SdkException e) {
    return e instanceof AwsServiceException s && s.awsErrorDetails() != null
        && "ValidationException".equals(s.awsErrorDetails().errorCode())
        && String.valueOf(s.awsErrorDetails().errorMessage()).toLowerCase().contains("size");
  }

  private void failIfAnyFailed() {
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("materialize " + job.schema().group() + ": writing to DynamoDB table "
          + job.table() + " at " + job.connection().describe() + " failed: " + t + "; items written so far stay, "
          + "and re-running materialize finishes the load", t);
    }
  }

  @FunctionalInterface
  private interface Task {
    void run() throws Exception;
  }
}
