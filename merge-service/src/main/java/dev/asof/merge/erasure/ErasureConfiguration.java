package dev.asof.merge.erasure;

import dev.asof.merge.erasure.kafka.TopicScan;
import dev.asof.merge.identity.IdentityLocks;
import dev.asof.merge.identity.IdentityLog;
import dev.asof.merge.identity.PendingErasures;
import dev.asof.merge.matching.MatchIndex;
import dev.asof.merge.matching.MatchIndexer;
import dev.asof.privacy.SubjectKeys;
import dev.asof.privacy.ValueCipher;
import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.ProfileViews;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Erasures ({@code asof.erasure.*}); unfinished ones resume once the service is ready. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ErasureProperties.class)
class ErasureConfiguration {

    @Bean
    ErasureStore erasureStore(DynamoDbClient dynamo, AsofTables tables) {
        return new ErasureStore(dynamo, tables);
    }

    @Bean
    SubjectStores subjectStores(
            DynamoDbClient dynamo,
            AsofTables tables,
            EventLog log,
            ProfileViews views,
            ValueCipher cipher,
            Clock clock) {
        return new SubjectStores(dynamo, tables, log, views, cipher, clock);
    }

    @Bean
    ErasureSteps erasureSteps(
            ErasureStore store,
            IdentityLog identityLog,
            ProfileEventSubmitter submitter,
            SubjectKeys keys,
            SubjectStores stores,
            MatchIndex matchIndex,
            // looked up when an erasure needs it: the indexer's auto-merge asks about erasures under way
            ObjectProvider<MatchIndexer> matchIndexer,
            TopicScan topics,
            ErasureProperties properties,
            IdentityLocks locks,
            Clock clock) {
        return new ErasureSteps(
                store,
                identityLog,
                submitter,
                keys,
                stores,
                matchIndex,
                matchIndexer::getObject,
                topics,
                properties,
                locks,
                clock);
    }

    /** What merges and unmerges ask: whether an identity has an erasure under way (they wait for it to end). */
    @Bean
    PendingErasures pendingErasures(Erasures erasures) {
        return identity -> erasures.latestErasing(identity)
                .filter(erasure -> !erasure.finished())
                .map(Erasure::erasureId);
    }

    @Bean
    Erasures erasures(
            ErasureStore store,
            ErasureSteps steps,
            IdentityLog identityLog,
            IdentityLocks locks,
            ErasureProperties properties,
            TopicScan topics,
            Clock clock,
            MeterRegistry meters) {
        return new Erasures(store, steps, identityLog, locks, properties, topics, clock, meters);
    }

    @Bean
    ReEncryption reEncryption(
            DynamoDbClient dynamo,
            AsofTables tables,
            ProfileViews views,
            ValueCipher cipher,
            SubjectKeys keys,
            Clock clock) {
        return new ReEncryption(dynamo, tables, views, cipher, keys, clock);
    }

    @Bean
    ApplicationListener<ApplicationReadyEvent> resumeErasures(Erasures erasures) {
        return ready -> erasures.resumeUnfinished();
    }
}
