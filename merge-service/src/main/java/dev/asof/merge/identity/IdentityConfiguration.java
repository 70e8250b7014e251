package dev.asof.merge.identity;

import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@Configuration(proxyBeanMethods = false)
class IdentityConfiguration {

    @Bean
    IdentityLog identityLog(EventLog log, IdentityLinks links, IdentityProperties properties) {
        return new IdentityLog(log, links, properties);
    }

    @Bean
    ErasedIdentities erasedIdentities(dev.asof.privacy.ValueCipher cipher) {
        return new ErasedIdentities(cipher);
    }

    @Bean
    IdentityLocks identityLocks(DynamoDbClient dynamo, AsofTables tables, Clock clock, IdentityProperties properties) {
        return new IdentityLocks(dynamo, tables, clock, properties);
    }

    @Bean
    IdentityCommands identityCommands(
            IdentityLog log,
            ProfileEventSubmitter submitter,
            IdentityLocks locks,
            IdentityProperties properties,
            MeterRegistry meters,
            ErasedIdentities erased,
            PendingErasures pendingErasures,
            Clock clock) {
        return new IdentityCommands(log, submitter, locks, properties, meters, erased, pendingErasures, clock);
    }
}
