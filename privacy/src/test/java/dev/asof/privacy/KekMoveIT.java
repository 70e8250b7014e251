package dev.asof.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import dev.asof.events.AttributeValue;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving to a different KEK (another KMS key, another keyset file, not a rotation inside one keyset): the new KEK
 * with the old one as its previous ({@link KeyEncryptionKey#unwrappingAlsoWith}) reads every value and wraps new keys
 * only with the new one; the rewrap pass moves every stored key to the new one, after which the old KEK can go.
 * Two local keyset files stand for the two KMS keys: the move works on the {@link Aead} either way, and a KMS key
 * refusing another key's ciphertext is a {@link GeneralSecurityException} too ({@code KmsAead}).
 */
class KekMoveIT {

    @TempDir
    Path dir;

    @Test
    void theNewKekReadsEverythingWithThePreviousAndAfterTheRewrapAlone() {
        KeyEncryptionKey old = KeyEncryptionKey.local(dir.resolve("old.json"));
        KeyEncryptionKey fresh = KeyEncryptionKey.local(dir.resolve("new.json"));
        ValueCipher before = new ValueCipher(PrivacyFixture.subjectKeys(old));
        List<String> customers = new ArrayList<>();
        List<AttributeValue> values = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String customer = PrivacyFixture.newCustomerId();
            customers.add(customer);
            values.add(before.encrypt(customer, AttributeValue.text("value " + i)));
        }
        String erased = PrivacyFixture.newCustomerId();
        before.encrypt(erased, AttributeValue.text("gone"));
        PrivacyFixture.subjectKeys(old).destroy(erased);

        KeyEncryptionKey moving = fresh.unwrappingAlsoWith(KeyEncryptionKey.existing(dir.resolve("old.json")));
        assertThat(moving.toString()).contains("new.json", "previous", "old.json");
        ValueCipher during = new ValueCipher(PrivacyFixture.subjectKeys(moving));
        for (int i = 0; i < 5; i++) {
            assertThat(during.decrypt(values.get(i))).isEqualTo(AttributeValue.text("value " + i));
        }
        // a key made during the move is wrapped by the new KEK only
        String newcomer = PrivacyFixture.newCustomerId();
        AttributeValue newValue = during.encrypt(newcomer, AttributeValue.text("new"));
        assertThat(new ValueCipher(PrivacyFixture.subjectKeys(fresh)).decrypt(newValue))
                .isEqualTo(AttributeValue.text("new"));
        // without the rewrap, the new KEK alone opens none of the old keys
        assertThatThrownBy(() -> new ValueCipher(PrivacyFixture.subjectKeys(fresh)).decrypt(values.get(0)))
                .isInstanceOf(PrivacyException.class)
                .hasMessageContaining("cannot be unwrapped");

        SubjectKeys rewrapping = PrivacyFixture.subjectKeys(moving);
        for (String customer : customers) {
            assertThat(rewrapping.rewrap(customer)).isTrue();
        }
        // a key its erasure still keeps aside (until purge_keys) is rewrapped; once purged, the tombstone holds none
        assertThat(rewrapping.rewrap(erased)).as("a retired key").isTrue();
        rewrapping.purgeRetired(erased, rewrapping.retiredGenerations(erased));
        assertThat(rewrapping.rewrap(erased)).as("a tombstone holds no key").isFalse();

        ValueCipher after = new ValueCipher(PrivacyFixture.subjectKeys(fresh));
        for (int i = 0; i < 5; i++) {
            assertThat(after.decrypt(values.get(i))).isEqualTo(AttributeValue.text("value " + i));
        }
        assertThatThrownBy(() -> new ValueCipher(PrivacyFixture.subjectKeys(old)).decrypt(values.get(0)))
                .as("the old KEK opens none of the moved keys")
                .isInstanceOf(PrivacyException.class);
    }

    @Test
    void anOutageOfTheNewKekIsNeverTakenForARefusal() throws Exception {
        KeyEncryptionKey old = KeyEncryptionKey.local(dir.resolve("old.json"));
        String customer = PrivacyFixture.newCustomerId();
        AttributeValue value =
                new ValueCipher(PrivacyFixture.subjectKeys(old)).encrypt(customer, AttributeValue.text("x"));
        List<String> previousAsked = new ArrayList<>();
        KeyEncryptionKey away = KeyEncryptionKey.of(
                new Aead() {
                    @Override
                    public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
                        throw new KeyServiceUnavailableException("test: KMS does not answer", null);
                    }

                    @Override
                    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
                        throw new KeyServiceUnavailableException("test: KMS does not answer", null);
                    }
                },
                "a KMS key that does not answer");
        KeyEncryptionKey recordingOld = KeyEncryptionKey.of(
                new Aead() {
                    @Override
                    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
                        return old.aead().encrypt(plaintext, associatedData);
                    }

                    @Override
                    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
                        previousAsked.add("decrypt");
                        return old.aead().decrypt(ciphertext, associatedData);
                    }
                },
                "old");

        ValueCipher cipher = new ValueCipher(PrivacyFixture.subjectKeys(away.unwrappingAlsoWith(recordingOld)));
        assertThatThrownBy(() -> cipher.decrypt(value)).isInstanceOf(KeyServiceUnavailableException.class);
        assertThat(previousAsked)
                .as("an outage is not a refusal: the previous KEK is not asked")
                .isEmpty();
    }
}
