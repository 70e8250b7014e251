package dev.asof.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttributeKeysTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "preferred_language", "consent.marketing", "address.line_1", "x9", "a.b.c", "z_"})
    void validKeys(String key) {
        assertThat(AttributeKeys.isValid(key)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Name",
                "preferredLanguage",
                "1st_choice",
                "_private",
                ".dot",
                "first name",
                "e-mail",
                "café",
                "name\n",
                "\nname",
                "na\u0000me"
            })
    void invalidKeys(String key) {
        assertThat(AttributeKeys.isValid(key)).isFalse();
    }

    @Test
    void atMost128Characters() {
        assertThat(AttributeKeys.isValid("k" + "x".repeat(127))).isTrue();
        assertThat(AttributeKeys.isValid("k" + "x".repeat(128))).isFalse();
    }

    @Test
    void nullIsNoKey() {
        assertThat(AttributeKeys.isValid(null)).isFalse();
    }
}
