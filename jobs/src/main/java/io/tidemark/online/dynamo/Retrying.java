package io.tidemark.online.dynamo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one retry policy of DynamoDB requests: exponential backoff with full jitter, and which failures are worth
 * another attempt.
 */
public final class Retrying {
  public static final int MAX_ATTEMPTS = 12;
  private static final long BASE_MILLIS = 20;
  private static final long CAP_MILLIS = 5_000;

  private Retrying() {}

  /** Sleeps a random time in [0, min(cap, base * 2^attempt)) before attempt {@code attempt + 1}. */
  public static void pause(int attempt) {
    long ceiling = Math.min(CAP_MILLIS, BASE_MILLIS << Math.min(attempt, 20));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while backing off", e);
    }
  }

  /**
   * One request, sent again after throttling and transient failures ({@link #retryable}) with backoff, up to
   * {@link #MAX_ATTEMPTS}; other failures are thrown. {@code attempting} is told each attempt's number (0 first).
   */
  public static <T> T call(Supplier<T> request, IntConsumer attempting) {
    for (int attempt = 0; ; attempt++) {
      if (attempt > 0) {
        pause(attempt);
      }
      attempting.accept(attempt);
      try {
        return request.get();
      } catch (SdkException e) {
        if (!retryable(e) || attempt + 1 >= MAX_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * Throttling, server errors and broken connections: the same request can succeed later. The SDK sometimes wraps
   * these (e.g. a connection reset while reading a response), so the causes count too.
   */
  public static boolean retryable(SdkException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AwsServiceException s) {
        String code = s.awsErrorDetails() == null ? "" : String.valueOf(s.awsErrorDetails().errorCode());
        if (s.isThrottlingException() || s.statusCode() >= 500 || code.equals("ProvisionedThroughputExceededException")
            || code.equals("RequestLimitExceeded") || code.equals("ThrottlingException")) {
          return true;
        }
      } else if (t instanceof IOException || t instanceof UncheckedIOException
          || (t instanceof SdkClientException c && c.retryable())) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
