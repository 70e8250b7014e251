package dev.asof.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.asof.events.AttributeValue;
import org.junit.jupiter.api.Test;

/**
 * Rotating the local KEK: a new primary key is added to the keyset, {@link SubjectKeys#rewrap} wraps every stored data
 * key under it, and then the old key can leave the keyset while every value stays readable. Data keys, and so values,
 * do not change.
 */
class KekRotationIT {

    @Test
    void afterARewrapTheOldKekKeyCanLeaveAndEveryValueStaysReadable() throws Exception {
        KeysetHandle old = Tink.newAes256GcmKeyset();
        KeysetHandle.Builder rotating = KeysetHandle.newBuilder(old);
        rotating.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                .withRandomId()
                .makePrimary());
        KeysetHandle both = rotating.build();
        KeysetHandle.Builder dropping = KeysetHandle.newBuilder(both);
        dropping.deleteAt(0);
        KeysetHandle onlyNew = dropping.build();

        String customer = PrivacyFixture.newCustomerId();
        String destroyed = PrivacyFixture.newCustomerId();
        ValueCipher before = new ValueCipher(PrivacyFixture.subjectKeys(KeyEncryptionKey.of(Tink.aead(old), "old")));
        AttributeValue encrypted = before.encrypt(customer, AttributeValue.text("jane@example.com"));
        before.encrypt(destroyed, AttributeValue.text("gone@example.com"));
        PrivacyFixture.subjectKeys(KeyEncryptionKey.of(Tink.aead(old), "old")).destroy(destroyed);

        // without the rewrap, the new key alone cannot unwrap what the old one wrapped
        assertThatThrownBy(() -> new ValueCipher(
                                PrivacyFixture.subjectKeys(KeyEncryptionKey.of(Tink.aead(onlyNew), "new only")))
                        .decrypt(encrypted))
                .isInstanceOf(PrivacyException.class)
                .hasMessageContaining("cannot be unwrapped");

        SubjectKeys rotated = PrivacyFixture.subjectKeys(KeyEncryptionKey.of(Tink.aead(both), "old and new"));
        assertThat(rotated.rewrap(customer)).isTrue();
        assertThat(rotated.rewrap(customer)).as("a second pass is harmless").isTrue();
        // a key its erasure still keeps aside (until purge_keys) is rewrapped; once purged, the tombstone holds none
        assertThat(rotated.rewrap(destroyed)).as("a retired key").isTrue();
        rotated.purgeRetired(destroyed, rotated.retiredGenerations(destroyed));
        assertThat(rotated.rewrap(destroyed)).as("a tombstone holds no key").isFalse();
        assertThat(rotated.rewrap(PrivacyFixture.newCustomerId())).as("no key").isFalse();

        ValueCipher after =
                new ValueCipher(PrivacyFixture.subjectKeys(KeyEncryptionKey.of(Tink.aead(onlyNew), "new only")));
        assertThat(after.decrypt(encrypted)).isEqualTo(AttributeValue.text("jane@example.com"));
        assertThat(PrivacyFixture.storedItem(customer).get("generation").n()).isEqualTo("1");
    }
}
