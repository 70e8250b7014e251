package dev.asof.ingestion.log;

import java.time.DateTimeException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * Tells a record the store will never take (a poison record) from a store that cannot take anything right now.
 * A poison record is dead-lettered with its reason; anything else fails the batch, which is retried until the
 * store answers again. Intake refuses what breaks the contract before answering {@code 202}, so a poison record
 * here means the rules and the store disagree: it must be loud, never retried forever and never silent.
 */
final class PoisonRecords {

    private PoisonRecords() {}

    /**
     * Whether {@code failure} says the record itself cannot be stored: a value out of the key's range, or a request
     * the store refused as invalid ({@code ValidationException}, such as an item over the size limit). Throttling,
     * time-outs, a missing table, credentials and 5xx answers are the store's state, not the record's.
     */
    static boolean isPoison(RuntimeException failure) {
        if (failure instanceof IllegalArgumentException
                || failure instanceof ArithmeticException
                || failure instanceof DateTimeException) {
            return true;
        }
        return failure instanceof DynamoDbException dynamo
                && dynamo.awsErrorDetails() != null
                && "ValidationException".equals(dynamo.awsErrorDetails().errorCode());
    }

    /** The reason, as the dead-letter header and the log carry it: the kind of failure and what the store said. */
    static String reason(RuntimeException failure) {
        String message = failure instanceof DynamoDbException dynamo && dynamo.awsErrorDetails() != null
                ? dynamo.awsErrorDetails().errorMessage()
                : failure.getMessage();
        String text = failure.getClass().getSimpleName() + ": " + message;
        return text.length() <= 300 ? text : text.substring(0, 297) + "...";
    }
}
