package io.tidemark.online.dynamo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.online.materialize.OnlineWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  /** A clock that only moves when the bucket sleeps or the test lets time pass. */
  private static final class FakeTicker implements TokenBucket.Ticker {
    long now = 1_000_000_000L;
    final List<Long> sleptMillis = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      sleptMillis.add(nanos / 1_000_000);
      now += nanos;
    }
  }

  @Test
  void aFullBucketLendsOneSecondThenPacesAtTheRate() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    TokenBucket bucket = new TokenBucket(10, ticker);
    for (int i = 0; i < 10; i++) {
      bucket.take(1); // the one-second burst
    }
    assertEquals(List.of(), ticker.sleptMillis);
    bucket.take(1);
    bucket.take(1);
    assertEquals(List.of(100L, 100L), ticker.sleptMillis);
  }

  @Test
  void aBatchLargerThanTheBurstRunsIntoDebtAndWaitsItOff() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    TokenBucket bucket = new TokenBucket(10, ticker);
    bucket.take(25); // 10 available: 15 units of debt = 1.5 s
    bucket.take(5); // the debt is paid; 5 more units = 0.5 s
    assertEquals(List.of(1500L, 500L), ticker.sleptMillis);
  }

  @Test
  void idleTimeRefillsAtMostOneSecondOfUnits() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    TokenBucket bucket = new TokenBucket(10, ticker);
    bucket.take(10);
    ticker.now += 60_000_000_000L; // a minute idle banks only 10 units
    bucket.take(10);
    bucket.take(2);
    assertEquals(List.of(200L), ticker.sleptMillis);
  }

  @Test
  void unitsOverTimeNeverExceedTheBurstPlusTheRate() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    long start = ticker.now;
    TokenBucket bucket = new TokenBucket(40, ticker);
    int[] sizes = {1, 16, 3, 25, 25, 1, 1, 8, 25, 2};
    long taken = 0;
    for (int round = 0; round < 20; round++) {
      for (int units : sizes) {
        bucket.take(units);
        taken += units;
        double seconds = (ticker.now - start) / 1e9;
        assertTrue(taken <= 40 + 40 * seconds + 1e-6, "took " + taken + " units by " + seconds + " s");
      }
    }
    assertEquals(2140, taken);
    assertEquals((2140 - 40) / 40.0, (ticker.now - start) / 1e9, 1e-6); // exactly the rate once the burst is spent
  }

  @Test
  void noLimitNeverSleeps() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    TokenBucket bucket = new TokenBucket(0, ticker);
    bucket.take(1_000_000);
    assertEquals(List.of(), ticker.sleptMillis);
  }

  @Test
  void theCapacityIsSplitOverTheTasksThatRunAtOnce() {
    assertEquals(50.0, OnlineWriter.capacityShare(100, 8, 2)); // 2 cores: 2 tasks at a time share it
    assertEquals(100.0, OnlineWriter.capacityShare(100, 1, 2)); // one task gets all of it
    assertEquals(12.5, OnlineWriter.capacityShare(100, 8, 64));
    assertEquals(0.0, OnlineWriter.capacityShare(0, 8, 2));
  }
}
