package io.tidemark.online.dynamo;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's writer lease, held by the one run that may write the group's online tables (full, incremental or
 * tombstones). Taken from the catalog at the start, renewed every {@link #RENEW_EVERY} by a driver thread while
 * the run lasts, given back on {@link #close}. A run that dies keeps it until it runs out ({@link #TERM} after the
 * last renewal); then the next run takes it over. The writers on the executors check it through a
 * {@link WriteFence} before they send.
 */
public final class GroupLease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupLease.class);
  public static final Duration TERM = Duration.ofMinutes(5);
  static final Duration RENEW_EVERY = Duration.ofSeconds(30);

  private final OnlineCatalog catalog;
  private final String group;
  private final String owner;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private volatile Instant until;

  private GroupLease(OnlineCatalog catalog, String group, String owner, Clock clock, Instant until) {
    this.catalog = catalog;
    this.group = group;
    this.owner = owner;
    this.clock = clock;
    this.until = until;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tidemark-lease-" + group);
      t.setDaemon(true);
      return t;
    });
    long every = RENEW_EVERY.toMillis();
    timer.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Takes the lease of {@code group} for a run doing {@code what} (e.g. "materialize --full"), or fails saying who
   * holds it and when it runs out.
   */
  public static GroupLease acquire(OnlineCatalog catalog, String group, String what, Clock clock) {
    String owner = what + " on " + host() + " pid " + ProcessHandle.current().pid() + " run "
        + UUID.randomUUID().toString().substring(0, 8);
    Instant now = clock.instant();
    Instant until = now.plus(TERM);
    Optional<OnlineCatalog.Lease> held = catalog.acquireLease(group, owner, now, until);
    if (held.isPresent()) {
      OnlineCatalog.Lease l = held.get();
      throw new IllegalStateException("the online tables of " + group + " are being written by another run ("
          + l.owner() + ", since " + l.since() + "); wait for it to finish. If that run died, re-run after "
          + l.until() + ", when its writer lease (" + TERM.toMinutes() + " minutes after its last renewal) has "
          + "run out");
    }
    LOG.info("materialize {}: writer lease taken by {} until {}", group, owner, until);
    return new GroupLease(catalog, group, owner, clock, until);
  }

  public String owner() {
    return owner;
  }

  /** What the executors' writers check before each request. */
  public WriteFence fence(DynamoConnection connection) {
    return new WriteFence(connection, catalog.tableName(), group, owner, clock, until.toEpochMilli());
  }

  private void renew() {
    try {
      Instant next = clock.instant().plus(TERM);
      if (catalog.renewLease(group, owner, next)) {
        until = next;
      } else {
        LOG.warn("materialize {}: the writer lease of {} was taken over by another run; this run's writers stop "
            + "before their next request", group, owner);
      }
    } catch (RuntimeException e) {
      LOG.warn("materialize {}: could not renew the writer lease (it runs until {}): {}", group, until,
          e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      catalog.releaseLease(group, owner);
    } catch (RuntimeException e) {
      LOG.warn("materialize {}: could not give the writer lease back ({}); it runs out at {}", group, e.toString(),
          until);
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return ManagementFactory.getRuntimeMXBean().getName();
    }
  }
}
