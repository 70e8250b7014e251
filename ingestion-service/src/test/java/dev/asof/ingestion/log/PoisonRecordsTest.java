package dev.asof.ingestion.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/** Which failures make a record poison (dead-lettered) and which are the store's state (retried). */
class PoisonRecordsTest {

    @Test
    void whatTheRecordItselfBreaksIsPoison() {
        assertThat(PoisonRecords.isPoison(new IllegalArgumentException("timestamps before 1970 are not stored")))
                .isTrue();
        assertThat(PoisonRecords.isPoison(new ArithmeticException("long overflow")))
                .isTrue();
        assertThat(PoisonRecords.isPoison(new DateTimeException("out of range")))
                .isTrue();
        assertThat(PoisonRecords.isPoison(
                        dynamo("ValidationException", "Item size has exceeded the maximum allowed size", 400)))
                .isTrue();
    }

    @Test
    void whatTheStoreGoesThroughIsRetried() {
        assertThat(PoisonRecords.isPoison(ApiCallTimeoutException.create(2000))).isFalse();
        assertThat(PoisonRecords.isPoison(ProvisionedThroughputExceededException.builder()
                        .awsErrorDetails(AwsErrorDetails.builder()
                                .errorCode("ProvisionedThroughputExceededException")
                                .build())
                        .statusCode(400)
                        .build()))
                .isFalse();
        assertThat(PoisonRecords.isPoison(ResourceNotFoundException.builder()
                        .awsErrorDetails(AwsErrorDetails.builder()
                                .errorCode("ResourceNotFoundException")
                                .build())
                        .statusCode(400)
                        .build()))
                .isFalse();
        assertThat(PoisonRecords.isPoison(dynamo("InternalServerError", "oops", 500)))
                .isFalse();
        assertThat(PoisonRecords.isPoison(dynamo("UnrecognizedClientException", "bad key", 400)))
                .isFalse();
        assertThat(PoisonRecords.isPoison(new IllegalStateException("interrupted")))
                .isFalse();
    }

    @Test
    void theReasonNamesTheKindAndTheStoresWordsBounded() {
        assertThat(PoisonRecords.reason(dynamo("ValidationException", "Item size has exceeded", 400)))
                .isEqualTo("DynamoDbException: Item size has exceeded");
        assertThat(PoisonRecords.reason(new IllegalArgumentException("x".repeat(1000))))
                .hasSize(300);
    }

    private static DynamoDbException dynamo(String code, String message, int status) {
        return (DynamoDbException) DynamoDbException.builder()
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage(message)
                        .build())
                .statusCode(status)
                .build();
    }
}
