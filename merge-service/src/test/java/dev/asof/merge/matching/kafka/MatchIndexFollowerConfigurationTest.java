package dev.asof.merge.matching.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.privacy.KeyServiceUnavailableException;
import dev.asof.privacy.PrivacyException;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/** Which failures the index follower waits out (tries until indexed) and which it gives up on after 10 tries. */
class MatchIndexFollowerConfigurationTest {

    @Test
    void aDependencyThatIsAwayIsWaitedOut() {
        assertThat(away(SdkClientException.create("connection refused"))).isTrue();
        assertThat(away(ApiCallTimeoutException.create(1000))).isTrue();
        assertThat(away(DynamoDbException.builder()
                        .statusCode(500)
                        .message("internal")
                        .build()))
                .isTrue();
        assertThat(away(DynamoDbException.builder()
                        .statusCode(503)
                        .message("unavailable")
                        .build()))
                .isTrue();
        assertThat(away(SdkServiceException.builder()
                        .statusCode(429)
                        .message("slow down")
                        .build()))
                .isTrue();
        assertThat(away(new KeyServiceUnavailableException("KMS did not answer", null)))
                .isTrue();
    }

    @Test
    void aFailureThatWillRecurIsGivenUpOn() {
        assertThat(away(ResourceNotFoundException.builder()
                        .statusCode(400)
                        .message("no such table")
                        .build()))
                .isFalse();
        assertThat(away(DynamoDbException.builder()
                        .statusCode(400)
                        .message("validation")
                        .build()))
                .isFalse();
        assertThat(away(new PrivacyException("a value no key opens"))).isFalse();
        assertThat(away(new IllegalStateException("a defect"))).isFalse();
    }

    /** As the error handler gets it: wrapped by the listener container. */
    private static boolean away(Exception cause) {
        return MatchIndexFollowerConfiguration.dependencyAway(
                new ListenerExecutionFailedException("listener failed", new RuntimeException("wrapped", cause)));
    }
}
