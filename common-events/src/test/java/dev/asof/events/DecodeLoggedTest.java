package dev.asof.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** The log's fast read path gives exactly what the validating decoder gives, for every golden event. */
class DecodeLoggedTest {

    @Test
    void decodeLoggedEqualsDecodeForEveryGoldenEvent() throws IOException {
        int checked = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Paths.get("src/test/resources/golden"), "*.json")) {
            for (Path file : files) {
                EventEnvelope validated = EventJson.decode(Files.readString(file, StandardCharsets.UTF_8));
                String logged = EventJson.encode(validated);

                assertThat(EventJson.decodeLogged(logged)).as(file.toString()).isEqualTo(validated);
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(7);
    }

    @Test
    void anUnreadableLoggedEventFailsLoudly() {
        assertThatThrownBy(() -> EventJson.decodeLogged("{\"event_id\":\"x\"}"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unreadable");
    }
}
