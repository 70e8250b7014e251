package dev.asof.merge.matching;

import dev.asof.matching.MatchModel;
import dev.asof.matching.MatchSettings;
import dev.asof.merge.identity.IdentityCommands;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.ConcurrentCalls;
import dev.asof.support.storage.FoldedEvents;
import dev.asof.support.storage.ProfileViews;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.function.Consumer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@Configuration(proxyBeanMethods = false)
class MatchingConfiguration {

    @Bean
    MatchSettings matchSettings(MatchingProperties properties) {
        return properties.settings();
    }

    @Bean
    MatchModel matchModel(MatchSettings settings) {
        return new MatchModel(settings);
    }

    @Bean
    MatchIndex matchIndex(DynamoDbClient dynamo, AsofTables tables) {
        return new MatchIndex(dynamo, tables);
    }

    @Bean
    MatchIndexer matchIndexer(
            FoldedEvents folded,
            ProfileViews views,
            MatchIndex index,
            MatchingProperties properties,
            MatchSettings settings,
            MeterRegistry meters,
            MatchLookup lookup,
            IdentityCommands commands,
            ValueCipher cipher,
            Clock clock) {
        Consumer<MatchIndex.Indexed> autoMerge =
                properties.autoMerge() ? new AutoMerge(lookup, index, commands, clock, meters) : indexed -> {};
        return new MatchIndexer(folded, views, index, properties, settings, meters, cipher, autoMerge);
    }

    @Bean
    IndexBackfill indexBackfill(ProfileViews views, MatchIndexer indexer) {
        return new IndexBackfill(views, indexer);
    }

    @Bean(destroyMethod = "close")
    ConcurrentCalls matchBlockQueries(MatchingProperties properties) {
        return new ConcurrentCalls("match-block-query", properties.lookupThreads());
    }

    @Bean
    MatchLookup matchLookup(
            MatchIndex index, MatchModel model, MatchingProperties properties, ConcurrentCalls queries) {
        return new MatchLookup(index, model, properties, queries);
    }
}
