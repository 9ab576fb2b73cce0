package io.tidemark.online.materialize;

import io.tidemark.offline.MetadataColumns;
import io.tidemark.online.dynamo.ItemCodec;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.dynamo.ItemSize;
import io.tidemark.online.dynamo.ItemWriter;
import io.tidemark.online.dynamo.TokenBucket;
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
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes one partition of winners on an executor: converts rows to puts and deletes, groups them in batches of 25
 * for the {@link ItemWriter} (which sends them, checking the writer lease and retrying), keeps {@code concurrency}
 * batches in flight, paces them with this task's token bucket, and counts every record into exactly one of
 * written, skipped as stale, deleted or oversized.
 */
final class PartitionWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionWriter.class);
  private static final long LOG_EVERY_NANOS = 15_000_000_000L;

  private final WriteJob job;
  private final int partition;
  private final LongAccumulator progress;
  private final TokenBucket bucket;
  private final LongAdder records = new LongAdder();
  private final LongAdder stale = new LongAdder();
  private final LongAdder deleted = new LongAdder();
  private final ItemWriter writer;
  private final LongAdder oversized = new LongAdder();
  private final List<String> oversizedIds = Collections.synchronizedList(new ArrayList<>());
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Semaphore inFlight;
  private final ExecutorService pool;
  private List<WriteRequest> batch = new ArrayList<>(ItemWriter.BATCH);
  private int batchUnits;

  PartitionWriter(WriteJob job, int partition, LongAccumulator progress) {
    this.job = job;
    this.partition = partition;
    this.progress = progress;
    this.writer = new ItemWriter(job.connection().writer(), job.table(), job.schema().key(), job.fence(),
        progress::add, this::markOversized);
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
              job.schema().group(), job.table(), partition, records.sum(), writer.written(),
              Math.round(writer.written() / secs), writer.retries());
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
    return new WriteStats(records.sum(), writer.written(), stale.sum(), deleted.sum() + writer.deleted(),
        oversized.sum(), writer.retries(), writer.requests(), oversizedIds);
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
    int bytes = ItemSize.of(item);
    if (bytes > ItemSize.MAX_ITEM_BYTES) {
      markOversized(id, bytes + " bytes");
      return;
    }
    add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build(),
        ItemSize.writeUnits(bytes));
  }

  private void add(WriteRequest request, int units) throws InterruptedException {
    batch.add(request);
    batchUnits += units;
    if (batch.size() == ItemWriter.BATCH) {
      flushBatch();
    }
  }

  private void flushBatch() throws InterruptedException {
    if (batch.isEmpty()) {
      return;
    }
    List<WriteRequest> full = batch;
    int units = batchUnits;
    batch = new ArrayList<>(ItemWriter.BATCH);
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
    writer.write(items);
  }

  private void markOversized(Object id, String why) {
    oversized.increment();
    if (oversizedIds.size() < WriteStats.MAX_IDS) {
      oversizedIds.add(String.valueOf(id));
    }
    LOG.warn("materialize {} -> {}: record {} is not written: its item is over DynamoDB's 400 KB limit ({}); "
        + "shorten its values or leave large features offline", job.schema().group(), job.table(), id, why);
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
