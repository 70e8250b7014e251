package dev.asof.support.storage;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * DynamoDB settings: {@code asof.dynamodb.table-prefix} (default {@code asof_}), whether a service creates
 * missing tables at start ({@code asof.dynamodb.create-tables}, default {@code true}; turn it off where tables
 * are provisioned by infrastructure code), and the deadlines of every call: {@code api-call-timeout} bounds a
 * call with all its retries, {@code api-call-attempt-timeout} one attempt, so a store that hangs (accepts the
 * connection and never answers) fails a call instead of holding its thread.
 */
@Validated
@ConfigurationProperties("asof.dynamodb")
public record StorageProperties(
        @NotNull @Pattern(regexp = "^[a-zA-Z0-9_.-]{0,64}$") @DefaultValue("asof_")
        String tablePrefix,

        @DefaultValue("true") boolean createTables,

        @NotNull @DefaultValue("5s") Duration apiCallTimeout,

        @NotNull @DefaultValue("2s") Duration apiCallAttemptTimeout) {}
