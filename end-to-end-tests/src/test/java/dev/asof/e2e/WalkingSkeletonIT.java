package dev.asof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.ServiceJar;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path through real parts: HTTP into ingestion-service, Kafka, the log writer into dynalite, and a
 * point-in-time read from reconstruction-service, each service its own JVM from its built jar.
 */
class WalkingSkeletonIT {

    static ServiceJar ingestion;
    static ServiceJar reconstruction;
    static ServiceJar merge;

    @BeforeAll
    static void startServices() {
        Map<String, String> properties = AsofTestProperties.all();
        ingestion = ServiceJar.start("ingestion-service", properties);
        reconstruction = ServiceJar.start("reconstruction-service", properties);
        merge = ServiceJar.start("merge-service", properties);
    }

    @AfterAll
    static void stopServices() {
        for (ServiceJar service : new ServiceJar[] {merge, reconstruction, ingestion}) {
            if (service != null) {
                service.close();
            }
        }
    }

    @Test
    void anEventPostedToIngestionIsReadBackAtAPointInTime() {
        String customer = Events.newCustomerId("cust_e2e");
        // The guide's case: the voice update stamped 14:30:01 arrives before the chat update stamped 14:30:00.
        post(Events.attributeChange(
                UUID.randomUUID().toString(),
                customer,
                "2023-10-27T14:30:01.000Z",
                "preferred_language",
                "en-US",
                "fr-FR",
                "voice"));
        post(Events.attributeChange(
                UUID.randomUUID().toString(),
                customer,
                "2023-10-27T14:30:00.000Z",
                "preferred_language",
                "en-US",
                "es-ES",
                "chat"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> profile = reconstruction
                    .api()
                    .get(
                            "/api/v1/customers/" + customer + "/profile/at/2023-10-27T14:30:05Z",
                            TestApiKeys.PROFILE_READ_ONLY);
            assertThat(profile.statusCode()).as(profile.body()).isEqualTo(200);
            assertThat(profile.body()).contains("\"preferred_language\":\"fr-FR\"", "\"events_applied\":2");
        });
        HttpResponse<String> before = reconstruction
                .api()
                .get(
                        "/api/v1/customers/" + customer + "/profile/at/2023-10-27T14:30:00.500Z",
                        TestApiKeys.PROFILE_READ_ONLY);
        assertThat(before.body()).contains("\"preferred_language\":\"es-ES\"");
    }

    @Test
    void everyServiceRefusesRequestsWithoutCredentials() {
        assertThat(ingestion.api().postJson("/api/v1/events", null, "{}").statusCode())
                .isEqualTo(401);
        assertThat(reconstruction
                        .api()
                        .get("/api/v1/customers/c/profile/at/2023-10-27T14:30:05Z", null)
                        .statusCode())
                .isEqualTo(401);
        assertThat(merge.api().get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
        assertThat(merge.api().get("/actuator/health", null).statusCode()).isEqualTo(200);
    }

    private static void post(String event) {
        HttpResponse<String> response =
                ingestion.api().postJson("/api/v1/events", TestApiKeys.EVENTS_WRITE_ONLY, event);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
}
