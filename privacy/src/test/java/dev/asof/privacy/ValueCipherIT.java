package dev.asof.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.events.AttributeValue;
import dev.asof.events.EncryptedValues;
import dev.asof.events.EventJson;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueCipherIT {

    private final KeyEncryptionKey kek = PrivacyFixture.newKek();
    private final SubjectKeys keys = PrivacyFixture.subjectKeys(kek);
    private final ValueCipher cipher = new ValueCipher(keys);

    private static final List<AttributeValue> EVERY_KIND = List.of(
            AttributeValue.text("Zoë Ångström-Núñez 山田 😀"),
            AttributeValue.text(""),
            AttributeValue.text("+44 20 7946 0958"),
            new AttributeValue.Numeric(new BigDecimal("1.0")),
            new AttributeValue.Numeric(new BigDecimal("1E+3")),
            new AttributeValue.Numeric(new BigDecimal("-0.000000000000000000000000123456789")),
            new AttributeValue.Numeric(new BigDecimal("123456789012345678901234567890")),
            new AttributeValue.Bool(true),
            new AttributeValue.Bool(false));

    @Test
    void everyKindOfValueRoundTripsWithItsTypeAndScale() {
        String customer = PrivacyFixture.newCustomerId();
        for (AttributeValue value : EVERY_KIND) {
            AttributeValue encrypted = cipher.encrypt(customer, value);

            assertThat(encrypted).isInstanceOf(AttributeValue.Text.class);
            assertThat(encrypted.asText()).startsWith(ValueCipher.PREFIX).matches("[A-Za-z0-9:_-]+");
            assertThat(ValueCipher.isCiphertext(encrypted)).isTrue();
            if (value instanceof AttributeValue.Text text && !text.value().isEmpty()) {
                assertThat(encrypted.asText()).doesNotContain(text.value());
            }
            // equals, not sameAs: 1.0 stays 1.0 and 1E+3 stays 1E+3
            assertThat(cipher.decrypt(encrypted)).isEqualTo(value);
        }
    }

    @Test
    void aRemovalStaysInClear() {
        String customer = PrivacyFixture.newCustomerId();

        assertThat(cipher.encrypt(customer, AttributeValue.NULL)).isSameAs(AttributeValue.NULL);
        assertThat(cipher.decrypt(AttributeValue.NULL)).isSameAs(AttributeValue.NULL);
        assertThat(PrivacyFixture.storedItem(customer))
                .as("no key is made for a removal")
                .isEmpty();
    }

    @Test
    void encryptingTheSameValueTwiceGivesDifferentCiphertexts() {
        String customer = PrivacyFixture.newCustomerId();
        AttributeValue value = AttributeValue.text("jane@example.com");

        assertThat(cipher.encrypt(customer, value)).isNotEqualTo(cipher.encrypt(customer, value));
    }

    @Test
    void valuesWrittenBeforeEncryptionPassThrough() {
        String customer = PrivacyFixture.newCustomerId();
        for (AttributeValue value : EVERY_KIND) {
            assertThat(cipher.decrypt(value)).isSameAs(value);
        }
        assertThat(cipher.decrypt(AttributeValue.text("asof:enc:v2:whatever")))
                .isEqualTo(AttributeValue.text("asof:enc:v2:whatever"));
        assertThat(PrivacyFixture.storedItem(customer))
                .as("no key is made to pass plaintext")
                .isEmpty();
    }

    @Test
    void textThatLooksLikeACiphertextIsEncryptedToo() {
        String customer = PrivacyFixture.newCustomerId();
        AttributeValue lookalike = AttributeValue.text(ValueCipher.PREFIX + "AAAA");

        assertThat(cipher.decrypt(cipher.encrypt(customer, lookalike))).isEqualTo(lookalike);
    }

    @Test
    void twoSubjectsGetDifferentKeys() {
        String a = PrivacyFixture.newCustomerId();
        String b = PrivacyFixture.newCustomerId();
        cipher.encrypt(a, AttributeValue.text("a"));
        cipher.encrypt(b, AttributeValue.text("b"));

        assertThat(PrivacyFixture.storedItem(a).get(SubjectKeys.KEYSET))
                .isNotEqualTo(PrivacyFixture.storedItem(b).get(SubjectKeys.KEYSET));
        assertThat(keys.forEncryption(a).aead())
                .isNotSameAs(keys.forEncryption(b).aead());
        // b's key does not open a's values, even with a's customer id as associated data
        AttributeValue ofA = cipher.encrypt(a, AttributeValue.text("a"));
        byte[] raw = java.util.Base64.getUrlDecoder().decode(EncryptedValues.ciphertext(ofA.asText()));
        assertThatThrownBy(() -> keys.forDecryption(b).aead().decrypt(raw, SubjectKeys.associatedData(a)))
                .isInstanceOf(java.security.GeneralSecurityException.class);
    }

    @Test
    void aCiphertextNamesItsSubjectAndDoesNotOpenAsAnother() {
        String a = PrivacyFixture.newCustomerId();
        String b = PrivacyFixture.newCustomerId();
        AttributeValue ofA = cipher.encrypt(a, AttributeValue.text("jane@example.com"));
        cipher.encrypt(b, AttributeValue.text("john@example.com"));

        assertThat(EncryptedValues.subject(ofA.asText())).isEqualTo(a);
        AttributeValue relabelled =
                AttributeValue.text(EncryptedValues.text(b, EncryptedValues.ciphertext(ofA.asText())));
        assertThatThrownBy(() -> cipher.decrypt(relabelled))
                .isExactlyInstanceOf(PrivacyException.class)
                .hasMessageContaining(b)
                .hasMessageContaining("encrypted for another customer, or altered")
                .hasMessageNotContaining("jane");
        AttributeValue unknown = AttributeValue.text(
                EncryptedValues.text(PrivacyFixture.newCustomerId(), EncryptedValues.ciphertext(ofA.asText())));
        assertThatThrownBy(() -> cipher.decrypt(unknown))
                .isExactlyInstanceOf(PrivacyException.class)
                .hasMessageContaining("has no data key");
    }

    @Test
    void subjectsWithColonsInTheirIdsRoundTrip() {
        String subject = "crm:" + PrivacyFixture.newCustomerId() + ":x";
        AttributeValue encrypted = cipher.encrypt(subject, AttributeValue.text("jane@example.com"));

        assertThat(EncryptedValues.subject(encrypted.asText())).isEqualTo(subject);
        assertThat(cipher.decrypt(encrypted)).isEqualTo(AttributeValue.text("jane@example.com"));
    }

    @Test
    void anAlteredCiphertextDoesNotOpen() {
        String customer = PrivacyFixture.newCustomerId();
        String text = cipher.encrypt(customer, AttributeValue.text("jane@example.com"))
                .asText();
        char last = text.charAt(text.length() - 1);
        AttributeValue altered = AttributeValue.text(text.substring(0, text.length() - 1) + (last == 'A' ? 'B' : 'A'));

        assertThatThrownBy(() -> cipher.decrypt(altered)).isExactlyInstanceOf(PrivacyException.class);
        assertThatThrownBy(() -> cipher.decrypt(AttributeValue.text(ValueCipher.PREFIX + customer + ":not base64!")))
                .isExactlyInstanceOf(PrivacyException.class)
                .hasMessageContaining("base64url");
    }

    @Test
    void ciphertextLengthIsExact() {
        String customer = PrivacyFixture.newCustomerId();
        for (int length = 0; length <= 200; length++) {
            AttributeValue value = AttributeValue.text("x".repeat(length));
            int jsonBytes = EventJson.mapper()
                    .writeValueAsString(EventJson.valueNode(value))
                    .getBytes(StandardCharsets.UTF_8)
                    .length;
            assertThat(cipher.encrypt(customer, value).asText())
                    .hasSize(ValueCipher.ciphertextLength(jsonBytes, customer));
        }
        AttributeValue largest = AttributeValue.text("é".repeat((AttributeValue.MAX_JSON_BYTES - 2) / 2));
        assertThat(cipher.encrypt(customer, largest).asText())
                .hasSize(ValueCipher.ciphertextLength(AttributeValue.MAX_JSON_BYTES, customer));
        assertThat(EncryptedValues.MAX_TEXT_LENGTH).isEqualTo(5518 + 128 + 1);
    }
}
