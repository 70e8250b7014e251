package dev.asof.reconstruction.snapshot;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Background snapshots ({@code asof.snapshots.*}).
 *
 * @param enabled whether this instance follows the topic to write snapshots
 * @param everyEvents a customer gets a new snapshot after this many more events on the topic
 * @param trackedCustomers most customers whose event counts are kept in memory; a customer dropped from it starts
 *     counting again
 * @param waitForLog while a snapshot or pages due at an event the log writer has not logged yet are set aside for it,
 *     how often they are written from what is logged so far; they are given up after three such rounds in which
 *     nothing more of the customer was logged (an event the log writer never logs, such as one it dead-letters,
 *     delays only its own customer's snapshot)
 */
@Validated
@ConfigurationProperties("asof.snapshots")
public record SnapshotProperties(
        @DefaultValue("true") boolean enabled,
        @Min(1) @DefaultValue("50") int everyEvents,
        @Min(1) @DefaultValue("100000") int trackedCustomers,
        @NotNull @DefaultValue("10s") Duration waitForLog) {}
