package io.tidemark.online;

/**
 * Write units per second for one task's share of {@code online.write_capacity}. Callers take what they need and
 * wait for the debt to refill, so a 16-unit batch is never starved by 1-unit items. Holds at most one second of
 * unused units (the burst). A rate of 0 means no limit.
 */
final class TokenBucket {
  private final double perSecond;
  private double available;
  private long last = System.nanoTime();

  TokenBucket(double perSecond) {
    this.perSecond = perSecond;
    this.available = perSecond;
  }

  /** Takes {@code units}, sleeping until the bucket can afford them. */
  void take(int units) throws InterruptedException {
    if (perSecond <= 0) {
      return;
    }
    long waitNanos;
    synchronized (this) {
      long now = System.nanoTime();
      available = Math.min(perSecond, available + (now - last) / 1e9 * perSecond);
      last = now;
      available -= units;
      waitNanos = available >= 0 ? 0 : (long) (-available / perSecond * 1e9);
    }
    if (waitNanos > 0) {
      Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
    }
  }
}
