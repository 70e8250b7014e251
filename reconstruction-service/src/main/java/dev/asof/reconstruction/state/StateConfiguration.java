package dev.asof.reconstruction.state;

import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.ConcurrentCalls;
import dev.asof.support.storage.HeadReads;
import dev.asof.support.storage.LogPages;
import dev.asof.support.storage.LogRanges;
import dev.asof.support.storage.Snapshots;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The storage parts only this service uses: range reads of the log, its packed pages, the snapshots table, batched head reads. */
@Configuration
class StateConfiguration {

    /** The independent DynamoDB calls of one read, at the same time (at most 64 at once). */
    @Bean(destroyMethod = "close")
    ConcurrentCalls storeCalls() {
        return new ConcurrentCalls("store-call", 64);
    }

    @Bean
    LogRanges logRanges(DynamoDbClient dynamo, AsofTables tables) {
        return new LogRanges(dynamo, tables);
    }

    @Bean
    HeadReads headReads(DynamoDbClient dynamo, AsofTables tables) {
        return new HeadReads(dynamo, tables);
    }

    @Bean
    LogPages logPages(DynamoDbClient dynamo, AsofTables tables) {
        return new LogPages(dynamo, tables);
    }

    @Bean
    Snapshots snapshots(DynamoDbClient dynamo, AsofTables tables) {
        return new Snapshots(dynamo, tables);
    }
}
