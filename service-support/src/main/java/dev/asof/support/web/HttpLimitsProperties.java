package dev.asof.support.web;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Flood protection for every service ({@code asof.http.*}).
 *
 * @param maxBodySize larger request bodies are refused with 413 before they are read
 * @param rateLimit requests each API key may make per {@code rateLimitPeriod}; more get 429 with Retry-After
 * @param rateLimitPeriod the rate limit's refresh period
 * @param maxBodyBytesInFlight how many bytes of request bodies are read and handled at once; bounds the memory
 *     that parsing bodies can take (a parsed body takes 10-20 times its size)
 * @param maxBodyWait how long a request with a body waits for room before {@code 503 busy}
 * @param maxBodyWaiters how many requests may wait for room at once (each holds a worker thread while it waits);
 *     more get {@code 503 busy} at once
 * @param maxBodyBytesPerClient how much of {@code maxBodyBytesInFlight} the bodies of one authenticated caller (an
 *     API key, a token's caller) may hold at once, at least {@code maxBodySize}; beyond, that caller's bodies get
 *     {@code 503 busy} at once, so one client cannot keep every other client's bodies out
 * @param streamedBodies paths (exactly as requested) whose handler streams the body instead of parsing it whole,
 *     with the size limit that replaces {@code maxBodySize} there; they take nothing from the in-flight budget and
 *     bound their own concurrency (campaign uploads: {@code /api/v1/campaigns})
 * @param minBodyRate the average rate, per second, at which a body must arrive once {@code slowBodyGrace} has
 *     passed; a slower one is {@code 408 body-too-slow} and its connection closed, so that a client trickling its
 *     body cannot hold a worker thread for long
 * @param slowBodyGrace how long a body may take before {@code minBodyRate} applies
 * @param maxBodyTime the longest a body may take to arrive whole, at any rate ({@code 408 body-too-slow} after
 *     it); bodies are read without holding a thread, so this bounds how long a slow client holds its share of
 *     {@code maxBodyBytesInFlight} and its connection
 */
@Validated
@ConfigurationProperties("asof.http")
public record HttpLimitsProperties(
        @NotNull @DefaultValue("2MB") DataSize maxBodySize,
        @Min(1) @DefaultValue("2000") int rateLimit,
        @NotNull @DefaultValue("1s") Duration rateLimitPeriod,
        @NotNull @DefaultValue("6MB") DataSize maxBodyBytesInFlight,
        @NotNull @DefaultValue("2s") Duration maxBodyWait,
        @Min(0) @DefaultValue("16") int maxBodyWaiters,
        @NotNull @DefaultValue("3MB") DataSize maxBodyBytesPerClient,
        java.util.Map<String, DataSize> streamedBodies,
        @NotNull @DefaultValue("4KB") DataSize minBodyRate,
        @NotNull @DefaultValue("5s") Duration slowBodyGrace,

        @NotNull @DurationMin(millis = 1) @DefaultValue("30s")
        Duration maxBodyTime) {

    public HttpLimitsProperties {
        streamedBodies = streamedBodies == null ? java.util.Map.of() : java.util.Map.copyOf(streamedBodies);
    }

    /** The body size limit of a request to {@code path}. */
    public long maxBodyBytes(String path) {
        DataSize streamed = streamedBodies.get(path);
        return (streamed == null ? maxBodySize : streamed).toBytes();
    }
}
