package io.tidemark.online.dynamo;

/**
 * Write units per second for one task's share of {@code online.write_capacity}. Callers take what they need and
 * wait for the debt to refill, so a 16-unit batch is never starved by 1-unit items. Holds at most one second of
 * unused units (the burst). A rate of 0 means no limit.
 */
public final class TokenBucket {
  /** Time and sleeping, replaceable so tests can check the pacing exactly. */
  interface Ticker {
    Ticker SYSTEM = new Ticker() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void sleepNanos(long nanos) throws InterruptedException {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      }
    };

    long nanoTime();

    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final double perSecond;
  private final Ticker ticker;
  private double available;
  private long last;

  public TokenBucket(double perSecond) {
    this(perSecond, Ticker.SYSTEM);
  }

  public TokenBucket(double perSecond, Ticker ticker) {
    this.perSecond = perSecond;
    this.ticker = ticker;
    this.available = perSecond;
    this.last = ticker.nanoTime();
  }

  /** Takes {@code units}, sleeping until the bucket can afford them. */
  public void take(int units) throws InterruptedException {
    if (perSecond <= 0) {
      return;
    }
    long waitNanos;
    synchronized (this) {
      long now = ticker.nanoTime();
      available = Math.min(perSecond, available + (now - last) / 1e9 * perSecond);
      last = now;
      available -= units;
      waitNanos = available >= 0 ? 0 : (long) Math.ceil(-available / perSecond * 1e9);
    }
    if (waitNanos > 0) {
      ticker.sleepNanos(waitNanos);
    }
  }
}
