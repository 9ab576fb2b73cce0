package io.tidemark.online.dynamo;

import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The writer lease as an executor's writer sees it: before each request it checks that its run still holds the
 * lease for at least {@link #MARGIN} more, re-reading the catalog (one consistent read) only when the lease it
 * knows gets that close to its end. So a run whose lease ran out (its driver stalled or died) stops before its next
 * request, and no request leaves it later than {@link #MARGIN} before another run could take over.
 */
public final class WriteFence implements Serializable {
  static final Duration MARGIN = Duration.ofSeconds(60);

  private final DynamoConnection connection;
  private final String catalogTable;
  private final String group;
  private final String owner;
  private final Clock clock;
  private volatile long knownUntilMillis;

  public WriteFence(DynamoConnection connection, String catalogTable, String group, String owner, Clock clock,
      long untilMillis) {
    this.connection = connection;
    this.catalogTable = catalogTable;
    this.group = group;
    this.owner = owner;
    this.clock = clock;
    this.knownUntilMillis = untilMillis;
  }

  /** Returns when this run may send a request now; throws when it no longer holds the lease. */
  public void check() {
    if (clock.millis() + MARGIN.toMillis() < knownUntilMillis) {
      return;
    }
    synchronized (this) {
      long now = clock.millis();
      if (now + MARGIN.toMillis() < knownUntilMillis) {
        return;
      }
      Map<String, AttributeValue> item = connection.reader().getItem(b -> b.tableName(catalogTable)
          .key(Map.of(OnlineCatalog.GROUP, AttributeValue.builder().s(group).build())).consistentRead(true)
          .projectionExpression(OnlineCatalog.LEASE_OWNER + ", " + OnlineCatalog.LEASE_UNTIL)).item();
      AttributeValue holder = item == null ? null : item.get(OnlineCatalog.LEASE_OWNER);
      if (holder == null || !owner.equals(holder.s())) {
        throw new IllegalStateException("materialize " + group + ": this run (" + owner + ") lost its writer lease"
            + (holder == null ? "" : " to " + holder.s()) + "; its writers stopped before sending more. The run "
            + "that holds the lease now writes the group");
      }
      long until = Long.parseLong(item.get(OnlineCatalog.LEASE_UNTIL).n());
      if (now + MARGIN.toMillis() >= until) {
        throw new IllegalStateException("materialize " + group + ": the writer lease of this run (" + owner
            + ") runs out at " + Instant.ofEpochMilli(until) + " and its driver stopped renewing it; the writers "
            + "stopped so that no request can race the next run");
      }
      knownUntilMillis = until;
    }
  }
}
