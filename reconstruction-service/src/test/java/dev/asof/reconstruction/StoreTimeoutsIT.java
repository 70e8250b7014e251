package dev.asof.reconstruction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.reconstruction.resilience.ReconstructionProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The store client's time-outs are this service's ({@code asof.reconstruction.dynamodb.*}), not the shared default
 * ({@code asof.storage.*}) that service-support sets on every service's client too.
 */
class StoreTimeoutsIT extends ReconstructionIT {

    @Autowired
    DynamoDbClient dynamo;

    @Autowired
    ReconstructionProperties properties;

    @Test
    void theStoreClientHasThisServicesTimeouts() {
        var configured = dynamo.serviceClientConfiguration().overrideConfiguration();
        assertThat(properties.dynamodb().apiCallTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(configured.apiCallTimeout()).contains(properties.dynamodb().apiCallTimeout());
        assertThat(configured.apiCallAttemptTimeout())
                .contains(properties.dynamodb().apiCallAttemptTimeout());
    }
}
