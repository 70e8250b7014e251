package dev.asof.support.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

class ConcurrentCallsTest {

    @Test
    void queriesRunAtTheSameTime() throws Exception {
        try (ConcurrentCalls queries = new ConcurrentCalls("test", 4)) {
            CountDownLatch bothStarted = new CountDownLatch(2);
            CompletableFuture<String> a = queries.start(() -> awaitBoth(bothStarted, "a"));
            CompletableFuture<String> b = queries.start(() -> awaitBoth(bothStarted, "b"));
            assertThat(ConcurrentCalls.result(a) + ConcurrentCalls.result(b)).isEqualTo("ab");
        }
    }

    @Test
    void withEveryThreadBusyTheCallerRunsTheQueryItself() throws Exception {
        try (ConcurrentCalls queries = new ConcurrentCalls("test", 1)) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> busy = queries.start(() -> {
                await(release);
                return Thread.currentThread().getName();
            });
            String caller = Thread.currentThread().getName();
            CompletableFuture<String> second =
                    queries.start(() -> Thread.currentThread().getName());
            assertThat(ConcurrentCalls.result(second)).isEqualTo(caller);
            release.countDown();
            assertThat(ConcurrentCalls.result(busy)).startsWith("test-");
        }
    }

    @Test
    void aFailedQueryFailsTheLookupWithTheStoresOwnException() {
        try (ConcurrentCalls queries = new ConcurrentCalls("test", 2)) {
            CompletableFuture<String> failed = queries.start(() -> {
                throw DynamoDbException.builder().message("store down").build();
            });
            assertThatThrownBy(() -> ConcurrentCalls.result(failed))
                    .isInstanceOf(DynamoDbException.class)
                    .hasMessageContaining("store down");
        }
    }

    private static String awaitBoth(CountDownLatch bothStarted, String value) {
        bothStarted.countDown();
        await(bothStarted);
        return value;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
