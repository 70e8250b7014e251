package dev.asof.support.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.events.InvalidEventException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Bodies and query strings are decoded as strict UTF-8: refused, never repaired with U+FFFD. */
class StrictDecodingTest {

    @Test
    void validUtf8BodiesDecodeUnchanged() {
        String text = "{\"customer_id\":\"cust_1\",\"v\":\"caf\u00e9 \ud83d\ude00\"}";
        assertThat(RequestBodies.utf8(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(text);
        assertThat(RequestBodies.utf8(new byte[0])).isEmpty();
    }

    @Test
    void everyMalformedSequenceIsRefusedNamingItsOffset() {
        for (byte[] bad : List.of(
                new byte[] {'a', (byte) 0xff},
                new byte[] {'a', (byte) 0xfe},
                new byte[] {'a', (byte) 0xc3, 0x28},
                new byte[] {'a', (byte) 0xc0, (byte) 0xaf},
                new byte[] {'a', (byte) 0xed, (byte) 0xa0, (byte) 0x80},
                new byte[] {'a', (byte) 0xe2, (byte) 0x82})) {
            assertThatThrownBy(() -> RequestBodies.utf8(bad))
                    .isInstanceOf(InvalidEventException.class)
                    .satisfies(e -> assertThat(((InvalidEventException) e)
                                    .violations()
                                    .get(0)
                                    .rule())
                            .isEqualTo("utf-8"))
                    .hasMessageContaining("at byte 1");
        }
    }

    /** Seeded: random byte strings decode exactly when the JDK's strict decoder accepts them. */
    @Test
    void randomBytesAgreeWithTheStrictDecoder() {
        long seed = Long.getLong("asof.seed", 20261130L);
        Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(8)];
            random.nextBytes(bytes);
            boolean valid;
            try {
                StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
                valid = true;
            } catch (java.nio.charset.CharacterCodingException e) {
                valid = false;
            }
            if (valid) {
                assertThat(RequestBodies.utf8(bytes)).isEqualTo(new String(bytes, StandardCharsets.UTF_8));
            } else {
                assertThatThrownBy(() -> RequestBodies.utf8(bytes))
                        .as("seed %d, case %d", seed, i)
                        .isInstanceOf(InvalidEventException.class);
            }
        }
    }

    @Test
    void queryStringsArePercentDecodedStrictly() {
        assertThat(RequestHygieneFilter.percentDecode("customer_id")).isEqualTo("customer_id");
        assertThat(RequestHygieneFilter.percentDecode("caf%C3%A9+x")).isEqualTo("caf\u00e9 x");
        for (String bad : List.of("%FF", "%C3%28", "%ED%A0%80", "%", "%4", "%zz", "caf\u00e9")) {
            assertThatThrownBy(() -> RequestHygieneFilter.percentDecode(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
