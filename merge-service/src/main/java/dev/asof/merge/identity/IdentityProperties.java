package dev.asof.merge.identity;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Identity settings ({@code asof.identity.*}).
 *
 * @param lockLease how long a lease on an identity lasts when its holder neither releases it nor is heard of again
 *     (a crash); it must cover a decision, the Kafka publish and {@code settleTimeout}
 * @param lockWait how long a command waits for the leases another command holds before answering {@code 409
 *     identity-busy}
 * @param settleTimeout how long a command waits, after Kafka acknowledged its event, for the log writer to log it, so
 *     that the next command on the same identities decides on it; past that the lease is left to run out
 * @param maxIdentities most identities one decision or identity answer reads (the identities involved, their chains,
 *     and for an answer every member); more is {@code 422 identity-too-large}
 * @param maxEvents most events one decision or identity answer reads, all identities together; more is {@code 422
 *     identity-too-large}
 */
@Validated
@ConfigurationProperties("asof.identity")
public record IdentityProperties(
        @NotNull @DefaultValue("30s") Duration lockLease,
        @NotNull @DefaultValue("5s") Duration lockWait,
        @NotNull @DefaultValue("10s") Duration settleTimeout,
        @Min(2) @Max(100_000) @DefaultValue("1000") int maxIdentities,
        @Min(1) @Max(10_000_000) @DefaultValue("200000") int maxEvents) {}
