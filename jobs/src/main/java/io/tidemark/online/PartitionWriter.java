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
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes one partition of winners on an executor: converts rows to puts and deletes, sends them in BatchWriteItem
 * requests of 25, keeps {@code concurrency} requests in flight, paces them with this task's token bucket, checks the
 * writer lease before each request, retries throttling and unprocessed items with backoff, and counts every record
 * into exactly one of written, skipped as stale, deleted or oversized.
 */
final class PartitionWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionWriter.class);
  private static final int BATCH = 25;
  private static final long LOG_EVERY_NANOS = 15_000_000_000L;

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
        add(WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(Map.of(s.key(), ItemCodec.key(s, id)))
            .build()).build(), 1);
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
    add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build(),
        ItemCodec.writeUnits(bytes));
  }

  private void add(WriteRequest request, int units) throws InterruptedException {
    batch.add(request);
    batchUnits += units;
    if (batch.size() == BATCH) {
      flushBatch();
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
      job.fence().check();
      List<WriteRequest> sending = pending;
      BatchWriteItemResponse r;
      try {
        requests.increment();
        r = client.batchWriteItem(b -> b.requestItems(Map.of(job.table(), sending)));
      } catch (SdkException e) {
        if (tooLarge(e)) {
          // DynamoDB sized an item above our estimate: find which, one by one
          for (WriteRequest w : sending) {
            single(w);
          }
          return;
        }
        if (!Retrying.retryable(e)) {
          throw e;
        }
        continue;
      }
      List<WriteRequest> left = r.unprocessedItems().getOrDefault(job.table(), List.of());
      long deletes = deletes(sending) - deletes(left);
      written.add(sending.size() - left.size() - deletes);
      deleted.add(deletes);
      progress.add(sending.size() - left.size());
      if (left.isEmpty()) {
        return;
      }
      pending = left;
    }
  }

  private static long deletes(List<WriteRequest> requests) {
    return requests.stream().filter(w -> w.deleteRequest() != null).count();
  }

  /** One put or delete on its own, after DynamoDB refused a batch as too large. */
  private void single(WriteRequest w) {
    job.fence().check();
    if (w.deleteRequest() != null) {
      call(() -> client.deleteItem(b -> b.tableName(job.table()).key(w.deleteRequest().key())));
      deleted.increment();
      progress.add(1);
      return;
    }
    Map<String, AttributeValue> item = w.putRequest().item();
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
