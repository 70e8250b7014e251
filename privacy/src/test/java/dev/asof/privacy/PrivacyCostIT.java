package dev.asof.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Measures (prints, does not assert) what encryption costs per value, warm and with a cold key fetch. */
class PrivacyCostIT {

    private static final int SUBJECTS = 200;
    private static final int ROUNDS = 200;

    @Test
    void printsTheCostOfEncryptionPerValue() {
        KeyEncryptionKey kek = PrivacyFixture.newKek();
        SubjectKeys keys = PrivacyFixture.subjectKeys(kek);
        ValueCipher cipher = new ValueCipher(keys);
        List<AttributeValue> values = List.of(
                AttributeValue.text("jane.doe@example.com"),
                AttributeValue.text("+44 20 7946 0958"),
                new AttributeValue.Numeric(new BigDecimal("1234.50")),
                new AttributeValue.Bool(true));
        List<String> customers = new ArrayList<>();
        for (int i = 0; i < SUBJECTS; i++) {
            customers.add(PrivacyFixture.newCustomerId());
        }

        long firstUse = System.nanoTime();
        List<AttributeValue> encrypted = new ArrayList<>();
        for (String customer : customers) {
            encrypted.add(cipher.encrypt(customer, values.get(0)));
        }
        double createMicros = (System.nanoTime() - firstUse) / 1_000.0 / SUBJECTS;

        // warm-up, then warm encrypt and decrypt (keys cached)
        int sink = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < SUBJECTS; i++) {
                sink += cipher.decrypt(cipher.encrypt(customers.get(i), values.get(i % 4)))
                        .hashCode();
            }
        }
        int operations = ROUNDS * SUBJECTS;
        List<AttributeValue> ciphertexts = new ArrayList<>(operations);
        long encryptStart = System.nanoTime();
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < SUBJECTS; i++) {
                ciphertexts.add(cipher.encrypt(customers.get(i), values.get(i % 4)));
            }
        }
        double encryptMicros = (System.nanoTime() - encryptStart) / 1_000.0 / operations;
        long decryptStart = System.nanoTime();
        int index = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < SUBJECTS; i++) {
                sink += cipher.decrypt(ciphertexts.get(index++)).hashCode();
            }
        }
        double decryptMicros = (System.nanoTime() - decryptStart) / 1_000.0 / operations;

        // a reconstruction's pattern: many values of one subject in a row
        List<AttributeValue> ofOne = new ArrayList<>(operations);
        for (int i = 0; i < operations; i++) {
            ofOne.add(cipher.encrypt(customers.get(0), values.get(i % 4)));
        }
        long oneStart = System.nanoTime();
        for (AttributeValue value : ofOne) {
            sink += cipher.decrypt(value).hashCode();
        }
        double oneSubjectMicros = (System.nanoTime() - oneStart) / 1_000.0 / operations;

        // the parts of a warm decrypt: the Tink AEAD alone, and the JSON parse alone
        byte[] associatedData = SubjectKeys.associatedData(customers.get(0));
        com.google.crypto.tink.Aead aead = keys.forDecryption(customers.get(0)).aead();
        byte[] raw = java.util.Base64.getUrlDecoder()
                .decode(dev.asof.events.EncryptedValues.ciphertext(
                        cipher.encrypt(customers.get(0), values.get(0)).asText()));
        long aeadStart = System.nanoTime();
        for (int i = 0; i < operations; i++) {
            try {
                sink += aead.decrypt(raw, associatedData).length;
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        double aeadMicros = (System.nanoTime() - aeadStart) / 1_000.0 / operations;
        byte[] json = "\"jane.doe@example.com\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long jsonStart = System.nanoTime();
        for (int i = 0; i < operations; i++) {
            sink += dev.asof.events.EventJson.value(
                            dev.asof.events.EventJson.mapper().readTree(json))
                    .hashCode();
        }
        double jsonMicros = (System.nanoTime() - jsonStart) / 1_000.0 / operations;

        // cold: a new replica (empty cache) reads each subject's wrapped key from dynalite and unwraps it
        ValueCipher cold = new ValueCipher(PrivacyFixture.subjectKeys(kek));
        long coldStart = System.nanoTime();
        for (int i = 0; i < SUBJECTS; i++) {
            sink += cold.decrypt(encrypted.get(i)).hashCode();
        }
        double coldMicros = (System.nanoTime() - coldStart) / 1_000.0 / SUBJECTS;

        System.out.printf(
                "privacy cost: warm encrypt %.1f us/value, warm decrypt %.1f us/value (%d values over %d subjects)%n",
                encryptMicros, decryptMicros, operations, SUBJECTS);
        System.out.printf(
                "privacy cost: warm decrypt of one subject's values in a row %.1f us/value; parts of a decrypt:"
                        + " Tink AEAD alone %.1f us, JSON parse alone %.1f us%n",
                oneSubjectMicros, aeadMicros, jsonMicros);
        System.out.printf(
                "privacy cost: cold key fetch from dynalite + unwrap + decrypt %.0f us/subject; first use (create,"
                        + " wrap, conditional put) %.0f us/subject (%d subjects)%n",
                coldMicros, createMicros, SUBJECTS);
        assertThat(sink).isNotNull();
    }
}
