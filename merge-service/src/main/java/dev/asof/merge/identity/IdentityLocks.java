package dev.asof.merge.identity;

import dev.asof.support.storage.AsofTables;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Leases on identities, one item per identity in {@code identity_locks}, taken with a conditional put: free, or
 * its lease ran out, or already ours. A merge or unmerge holds the leases of every identity its decision reads (A, B
 * and their chains) from before it reads until its event is logged, so two commands that read a common identity run
 * one after the other, on every replica of merge-service, and each decides on what the other wrote (two-phase
 * locking: each writes only the link of an identity it holds).
 *
 * <p>A lease runs out {@code lockLease} after it was taken, so a crashed holder blocks nobody for longer; this relies
 * on the replicas' clocks agreeing to within a small part of the lease (NTP). Hand-written rather than Amazon's
 * {@code dynamodb-lock-client}, which is under the Amazon Software License: a conditional put and a conditional
 * delete are all it takes.
 */
public class IdentityLocks {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityLocks.class);

    private static final Duration POLL = Duration.ofMillis(100);

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final Duration lease;
    private final Retry waitForLease;

    public IdentityLocks(DynamoDbClient dynamo, AsofTables tables, Clock clock, IdentityProperties properties) {
        this.dynamo = dynamo;
        this.table = tables.identityLocks();
        this.clock = clock;
        this.lease = properties.lockLease();
        int attempts = (int) Math.max(1, properties.lockWait().toMillis() / POLL.toMillis() + 1);
        this.waitForLease = Retry.of(
                "identity-lease",
                RetryConfig.<Boolean>custom()
                        .maxAttempts(attempts)
                        .intervalFunction(IntervalFunction.ofRandomized(POLL, 0.5))
                        .retryOnResult(taken -> !taken)
                        .retryOnException(failed -> false)
                        .build());
    }

    /**
     * The leases one command holds; closing releases them unless {@link #keepUntilExpiry()} was called after the last
     * {@link #releaseOnClose()}.
     */
    public final class Lease implements AutoCloseable {

        private final String owner;
        private final Set<String> held = new TreeSet<>();
        private boolean keep;

        private Lease(String owner) {
            this.owner = owner;
        }

        /** Whether every one of {@code identities} is held. */
        public boolean holds(Collection<String> identities) {
            return held.containsAll(identities);
        }

        /**
         * Takes the leases of {@code identities} not held yet, in string order, waiting up to {@code lockWait} for
         * each.
         *
         * @throws ApiProblemException {@code 409 identity-busy} when one stays taken; the leases held stay held
         *     until {@link #close()}
         */
        public void add(Collection<String> identities) {
            for (String identity : new TreeSet<>(identities)) {
                if (held.contains(identity)) {
                    continue;
                }
                boolean taken = waitForLease.executeSupplier(() -> tryTake(identity, owner));
                if (!taken) {
                    throw busy(identity);
                }
                held.add(identity);
            }
        }

        /**
         * Leaves the leases to run out instead of releasing them: for a command whose event was acknowledged (or may
         * have been) but is not logged yet, so the next command does not decide without it.
         */
        public void keepUntilExpiry() {
            keep = true;
        }

        /** Undoes {@link #keepUntilExpiry()}: the event is logged, the next command may go ahead. */
        public void releaseOnClose() {
            keep = false;
        }

        @Override
        public void close() {
            if (keep) {
                return;
            }
            for (String identity : held) {
                release(identity, owner);
            }
        }
    }

    /**
     * A lease holding nothing yet, for the command writing event {@code owner}. A retry of the command (same
     * Idempotency-Key, so the same event id) takes over the leases its first attempt kept; any other command waits.
     */
    public Lease lease(String owner) {
        return new Lease(owner);
    }

    private boolean tryTake(String identity, String owner) {
        long now = clock.millis();
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of(
                            AsofTables.CUSTOMER_ID,
                            AttributeValue.fromS(identity),
                            "owner",
                            AttributeValue.fromS(owner),
                            "expires_at",
                            AttributeValue.fromN(Long.toString(now + lease.toMillis()))))
                    .conditionExpression("attribute_not_exists(#id) OR #expires < :now OR #owner = :owner")
                    .expressionAttributeNames(
                            Map.of("#id", AsofTables.CUSTOMER_ID, "#expires", "expires_at", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(
                            ":now", AttributeValue.fromN(Long.toString(now)), ":owner", AttributeValue.fromS(owner))));
            return true;
        } catch (ConditionalCheckFailedException heldByAnother) {
            return false;
        }
    }

    private void release(String identity, String owner) {
        try {
            dynamo.deleteItem(b -> b.tableName(table)
                    .key(Map.of(AsofTables.CUSTOMER_ID, AttributeValue.fromS(identity)))
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner))));
        } catch (ConditionalCheckFailedException expiredAndTaken) {
            LOG.warn("a lease on an identity ran out before its command finished; raise asof.identity.lock-lease");
        } catch (RuntimeException failed) {
            // the lease runs out by itself
            LOG.warn(
                    "releasing a lease on an identity failed ({}); it runs out by itself",
                    failed.getClass().getSimpleName());
        }
    }

    private static ApiProblemException busy(String identity) {
        return new ApiProblemException(
                Problems.of(
                        HttpStatus.CONFLICT,
                        "identity-busy",
                        "Identity busy",
                        "another merge or unmerge involving " + identity
                                + " is being written; retry in a second with the same Idempotency-Key"),
                Map.of("Retry-After", "1"));
    }
}
