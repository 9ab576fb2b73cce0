package io.tidemark.online;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.SSESpecification;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** SDK interceptors that record, throttle or crash requests, to test the writer and client against real faults. */
public final class Faults {
  private Faults() {}

  public static boolean isWrite(SdkRequest r) {
    return r instanceof BatchWriteItemRequest || r instanceof PutItemRequest || r instanceof DeleteItemRequest;
  }

  /**
   * Records each request as "Operation count" (items or keys), "Operation id", "CreateTable name sse..." or
   * "UpdateTimeToLive table attribute enabled=...", before any other interceptor changes it.
   */
  public static final class Recorder implements ExecutionInterceptor {
    public static final ConcurrentLinkedQueue<String> CALLS = new ConcurrentLinkedQueue<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      SdkRequest r = context.request();
      if (r instanceof BatchGetItemRequest b) {
        CALLS.add("BatchGetItem " + b.requestItems().values().iterator().next().keys().size());
      } else if (r instanceof BatchWriteItemRequest b) {
        CALLS.add("BatchWriteItem " + b.requestItems().values().iterator().next().size());
      } else if (r instanceof PutItemRequest p) {
        CALLS.add("PutItem " + p.item().get("user_id").s());
      } else if (r instanceof DeleteItemRequest d) {
        CALLS.add("DeleteItem " + d.key().get("user_id").s());
      } else if (r instanceof UpdateTimeToLiveRequest t) {
        CALLS.add("UpdateTimeToLive " + t.tableName() + " " + t.timeToLiveSpecification().attributeName()
            + " enabled=" + t.timeToLiveSpecification().enabled());
      } else if (r instanceof CreateTableRequest c) {
        SSESpecification sse = c.sseSpecification();
        CALLS.add("CreateTable " + c.tableName() + (sse == null ? "" : " sse enabled=" + sse.enabled() + " type="
            + sse.sseTypeAsString() + " key=" + sse.kmsMasterKeyId()));
      }
    }
  }

  /** Records when each write request leaves the writer (after its token bucket let it go). */
  public static final class WriteTimes implements ExecutionInterceptor {
    public static final ConcurrentLinkedQueue<Long> NANOS = new ConcurrentLinkedQueue<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (isWrite(context.request())) {
        NANOS.add(System.nanoTime());
      }
    }
  }

  /**
   * About {@code rate} of requests fail: writes throttled before they are sent (ProvisionedThroughputExceeded),
   * batch writes and batch gets with half their items unprocessed, and some single puts throttled after DynamoDB
   * applied them (the writer must then recognise its own item).
   */
  public static final class Throttler implements ExecutionInterceptor {
    public static volatile double rate;
    public static final AtomicLong INJECTED = new AtomicLong();
    private static final Random RANDOM = new Random(7);
    private static final ExecutionAttribute<List<WriteRequest>> HELD_WRITES = new ExecutionAttribute<>("held-w");
    private static final ExecutionAttribute<List<Map<String, AttributeValue>>> HELD_KEYS =
        new ExecutionAttribute<>("held-k");
    private static final ExecutionAttribute<Boolean> FAIL_AFTER = new ExecutionAttribute<>("fail-after");

    private static synchronized boolean roll(double p) {
      return RANDOM.nextDouble() < p;
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
      SdkRequest r = context.request();
      if (r instanceof BatchWriteItemRequest b && b.requestItems().values().iterator().next().size() > 1
          && roll(rate / 2)) {
        String table = b.requestItems().keySet().iterator().next();
        List<WriteRequest> all = b.requestItems().get(table);
        attributes.putAttribute(HELD_WRITES, new ArrayList<>(all.subList(all.size() / 2, all.size())));
        INJECTED.incrementAndGet();
        return b.toBuilder().requestItems(Map.of(table, all.subList(0, all.size() / 2))).build();
      }
      if (r instanceof BatchGetItemRequest b && b.requestItems().values().iterator().next().keys().size() > 1
          && roll(rate)) {
        String table = b.requestItems().keySet().iterator().next();
        KeysAndAttributes ka = b.requestItems().get(table);
        List<Map<String, AttributeValue>> keys = ka.keys();
        attributes.putAttribute(HELD_KEYS, new ArrayList<>(keys.subList(keys.size() / 2, keys.size())));
        INJECTED.incrementAndGet();
        return b.toBuilder().requestItems(Map.of(table, ka.toBuilder().keys(keys.subList(0, keys.size() / 2))
            .build())).build();
      }
      return r;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (isWrite(context.request()) && attributes.getAttribute(HELD_WRITES) == null && roll(rate / 2)) {
        INJECTED.incrementAndGet();
        throw throttled();
      }
      if (context.request() instanceof PutItemRequest && roll(rate / 4)) {
        attributes.putAttribute(FAIL_AFTER, true);
      }
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
      if (Boolean.TRUE.equals(attributes.getAttribute(FAIL_AFTER)) && context.httpResponse().isSuccessful()) {
        INJECTED.incrementAndGet();
        throw throttled(); // DynamoDB applied the put, the client never hears of it
      }
      List<WriteRequest> held = attributes.getAttribute(HELD_WRITES);
      if (held != null && context.response() instanceof BatchWriteItemResponse r) {
        String table = ((BatchWriteItemRequest) context.request()).requestItems().keySet().iterator().next();
        Map<String, List<WriteRequest>> left = new HashMap<>(r.unprocessedItems());
        List<WriteRequest> all = new ArrayList<>(left.getOrDefault(table, List.of()));
        all.addAll(held);
        left.put(table, all);
        return r.toBuilder().unprocessedItems(left).build();
      }
      List<Map<String, AttributeValue>> keys = attributes.getAttribute(HELD_KEYS);
      if (keys != null && context.response() instanceof BatchGetItemResponse r) {
        String table = ((BatchGetItemRequest) context.request()).requestItems().keySet().iterator().next();
        return r.toBuilder().unprocessedKeys(Map.of(table, KeysAndAttributes.builder().keys(keys).build())).build();
      }
      return context.response();
    }

    private static ProvisionedThroughputExceededException throttled() {
      return (ProvisionedThroughputExceededException) ProvisionedThroughputExceededException.builder()
          .message("injected throttling").statusCode(400)
          .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException")
              .errorMessage("injected throttling").build()).build();
    }
  }

  /**
   * Lets {@code allowed} write requests through, then fails every request, reads and table or catalog updates too:
   * a load killed midway, of which nothing more reaches DynamoDB through this connection.
   */
  public static final class Crasher implements ExecutionInterceptor {
    public static final AtomicInteger ALLOWED = new AtomicInteger(Integer.MAX_VALUE);

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      boolean dead = isWrite(context.request()) ? ALLOWED.getAndDecrement() <= 0 : ALLOWED.get() < 0;
      if (dead) {
        throw SdkClientException.create("injected crash: the load dies here");
      }
    }
  }

  /**
   * Holds every write request at the gate while it is armed, until {@link #open}: a write job caught in flight, so a
   * test can run other writers meanwhile. {@link #ENTERED} counts down at the first request held.
   */
  public static final class Gate implements ExecutionInterceptor {
    public static volatile CountDownLatch ENTERED = new CountDownLatch(0);
    private static volatile CountDownLatch closed = new CountDownLatch(0);

    public static void arm() {
      ENTERED = new CountDownLatch(1);
      closed = new CountDownLatch(1);
    }

    public static void open() {
      closed.countDown();
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (isWrite(context.request())) {
        ENTERED.countDown();
        try {
          if (!closed.await(120, TimeUnit.SECONDS)) {
            throw SdkClientException.create("the gate stayed closed for 120 s");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw SdkClientException.create("interrupted at the gate");
        }
      }
    }
  }
}
