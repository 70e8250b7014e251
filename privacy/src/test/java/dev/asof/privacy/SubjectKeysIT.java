package dev.asof.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.events.AttributeValue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SubjectKeysIT {

    private final KeyEncryptionKey kek = PrivacyFixture.newKek();

    @Test
    void concurrentFirstUseFromThreadsAndTwoReplicasEndsWithOneKey() throws Exception {
        SubjectKeys replicaA = PrivacyFixture.subjectKeys(kek);
        SubjectKeys replicaB = PrivacyFixture.subjectKeys(kek);
        List<ValueCipher> ciphers = List.of(new ValueCipher(replicaA), new ValueCipher(replicaB));
        for (int round = 0; round < 5; round++) {
            String customer = PrivacyFixture.newCustomerId();
            int threads = 8;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<AttributeValue>> written = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                ValueCipher cipher = ciphers.get(i % 2);
                AttributeValue value = AttributeValue.text("value " + i);
                written.add(pool.submit(() -> {
                    start.await();
                    return cipher.encrypt(customer, value);
                }));
            }
            start.countDown();
            List<AttributeValue> ciphertexts = new ArrayList<>();
            for (Future<AttributeValue> future : written) {
                ciphertexts.add(future.get(30, TimeUnit.SECONDS));
            }
            pool.shutdown();

            assertThat(PrivacyFixture.storedItem(customer)
                            .get(SubjectKeys.GENERATION)
                            .n())
                    .isEqualTo("1");
            // Every ciphertext, from either replica, opens with the one stored key (a third replica, cold cache).
            ValueCipher third = new ValueCipher(PrivacyFixture.subjectKeys(kek));
            for (int i = 0; i < threads; i++) {
                assertThat(third.decrypt(ciphertexts.get(i))).isEqualTo(AttributeValue.text("value " + i));
            }
        }
    }

    @Test
    void destroyMakesOldValuesFailWithTheErasureTimeOnThisInstanceAtOnce() {
        SubjectKeys keys = PrivacyFixture.subjectKeys(kek);
        ValueCipher cipher = new ValueCipher(keys);
        String customer = PrivacyFixture.newCustomerId();
        AttributeValue stored = cipher.encrypt(customer, AttributeValue.text("jane@example.com"));
        assertThat(cipher.decrypt(stored)).isEqualTo(AttributeValue.text("jane@example.com"));

        Instant before = Instant.now();
        Instant erasedAt = keys.destroy(customer);

        assertThat(erasedAt).isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1));
        assertThatThrownBy(() -> cipher.decrypt(stored))
                .isInstanceOfSatisfying(SubjectErasedException.class, e -> {
                    assertThat(e.erasedAt()).isEqualTo(erasedAt);
                    assertThat(e.customerId()).isEqualTo(customer);
                })
                .hasMessageNotContaining("jane");
        assertThat(PrivacyFixture.storedItem(customer))
                .containsKeys(SubjectKeys.DESTROYED_AT, SubjectKeys.GENERATION)
                .doesNotContainKey(SubjectKeys.KEYSET);
        assertThat(keys.destroy(customer))
                .as("idempotent: the first erasure's time")
                .isEqualTo(erasedAt);
        // A removal needs no key, and plaintext still passes.
        assertThat(cipher.decrypt(AttributeValue.NULL)).isEqualTo(AttributeValue.NULL);
    }

    @Test
    void destroyDuringAnInFlightLoadLeavesNoKeyCached() throws Exception {
        String customer = PrivacyFixture.newCustomerId();
        new ValueCipher(PrivacyFixture.subjectKeys(kek)).encrypt(customer, AttributeValue.text("jane@example.com"));
        CountDownLatch unwrapping = new CountDownLatch(1);
        // A KEK whose unwrap takes a while: the load is still in flight when destroy runs.
        KeyEncryptionKey slow = KeyEncryptionKey.of(
                new com.google.crypto.tink.Aead() {
                    @Override
                    public byte[] encrypt(byte[] plaintext, byte[] associatedData)
                            throws java.security.GeneralSecurityException {
                        return kek.aead().encrypt(plaintext, associatedData);
                    }

                    @Override
                    public byte[] decrypt(byte[] ciphertext, byte[] associatedData)
                            throws java.security.GeneralSecurityException {
                        unwrapping.countDown();
                        try {
                            Thread.sleep(700);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return kek.aead().decrypt(ciphertext, associatedData);
                    }
                },
                "slow test keyset");
        SubjectKeys keys = PrivacyFixture.subjectKeys(slow);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<SubjectKeys.LiveKey> load = pool.submit(() -> keys.forDecryption(customer));
        assertThat(unwrapping.await(10, TimeUnit.SECONDS)).isTrue();

        keys.destroy(customer);

        assertThat(load.get(10, TimeUnit.SECONDS).generation())
                .as("the load read the key before")
                .isEqualTo(1);
        assertThatThrownBy(() -> keys.forDecryption(customer)).isInstanceOf(SubjectErasedException.class);
        pool.shutdown();
    }

    @Test
    void aReturningCustomerGetsGenerationTwoWhichCannotOpenGenerationOne() {
        SubjectKeys keys = PrivacyFixture.subjectKeys(kek);
        ValueCipher cipher = new ValueCipher(keys);
        String customer = PrivacyFixture.newCustomerId();
        AttributeValue old = cipher.encrypt(customer, AttributeValue.text("old address"));
        Instant erasedAt = keys.destroy(customer);

        AttributeValue fresh = cipher.encrypt(customer, AttributeValue.text("new address"));

        assertThat(PrivacyFixture.storedItem(customer)
                        .get(SubjectKeys.GENERATION)
                        .n())
                .isEqualTo("2");
        assertThat(keys.forDecryption(customer).generation()).isEqualTo(2);
        assertThat(cipher.decrypt(fresh)).isEqualTo(AttributeValue.text("new address"));
        assertThatThrownBy(() -> cipher.decrypt(old))
                .isInstanceOfSatisfying(
                        SubjectErasedException.class,
                        e -> assertThat(e.erasedAt()).isEqualTo(erasedAt));
        // And again: generation 3 after a second erasure.
        Instant second = keys.destroy(customer);
        assertThat(second).isAfterOrEqualTo(erasedAt);
        cipher.encrypt(customer, AttributeValue.text("third"));
        assertThat(PrivacyFixture.storedItem(customer)
                        .get(SubjectKeys.GENERATION)
                        .n())
                .isEqualTo("3");
        assertThatThrownBy(() -> cipher.decrypt(fresh))
                .isInstanceOfSatisfying(
                        SubjectErasedException.class,
                        e -> assertThat(e.erasedAt()).isEqualTo(second));
    }

    @Test
    void aDestroyedKeyIsKeptAsideForTheErasureOnlyUntilItIsPurged() {
        SubjectKeys keys = PrivacyFixture.subjectKeys(kek);
        ValueCipher cipher = new ValueCipher(keys);
        // a replica that cached the key before the erasure, and encrypts with it after (a returning customer)
        SubjectKeys staleKeys = PrivacyFixture.subjectKeys(kek);
        ValueCipher stale = new ValueCipher(staleKeys);
        String customer = PrivacyFixture.newCustomerId();
        AttributeValue erased = cipher.encrypt(customer, AttributeValue.text("erased address"));
        stale.encrypt(customer, AttributeValue.text("warms the replica's cache"));
        keys.destroy(customer);
        AttributeValue late = stale.encrypt(customer, AttributeValue.text("returning address"));

        assertThat(keys.retiredGenerations(customer)).containsExactly(1L);
        // no read opens either value: both are under the destroyed key
        assertThatThrownBy(() -> cipher.decrypt(late)).isInstanceOf(SubjectErasedException.class);
        assertThatThrownBy(() -> cipher.decrypt(erased)).isInstanceOf(SubjectErasedException.class);
        // a returning customer's new generation carries the retired key along
        AttributeValue fresh = cipher.encrypt(customer, AttributeValue.text("new address"));
        assertThat(keys.retiredGenerations(customer)).containsExactly(1L);
        // a KEK rotation's rewrap pass rewraps the retired key too (and bumps the item's revision)
        String revision =
                PrivacyFixture.storedItem(customer).get(SubjectKeys.REVISION).n();
        assertThat(keys.rewrap(customer)).isTrue();
        assertThat(PrivacyFixture.storedItem(customer).get(SubjectKeys.REVISION).n())
                .isNotEqualTo(revision);
        // the erasure moves the late value to the new key, leaves the others as they are
        var reencrypt = cipher.retiredReencryption(customer);
        AttributeValue moved = reencrypt.apply(late);
        assertThat(cipher.decrypt(moved)).isEqualTo(AttributeValue.text("returning address"));
        assertThat(reencrypt.apply(fresh)).isSameAs(fresh);
        assertThat(reencrypt.apply(AttributeValue.text("plain"))).isEqualTo(AttributeValue.text("plain"));
        AttributeValue foreign = cipher.encrypt(PrivacyFixture.newCustomerId(), AttributeValue.text("someone else"));
        assertThat(reencrypt.apply(foreign)).isSameAs(foreign);

        assertThat(keys.purgeRetired(customer, List.of(1L))).isEqualTo(1);
        assertThat(keys.purgeRetired(customer, List.of(1L))).isZero();
        assertThat(keys.retiredGenerations(customer)).isEmpty();
        assertThat(PrivacyFixture.storedItem(customer).keySet()).noneMatch(name -> name.startsWith("retired_"));
        assertThat(cipher.retiredReencryption(customer).apply(late)).isSameAs(late);
        assertThat(cipher.decrypt(fresh)).isEqualTo(AttributeValue.text("new address"));
    }

    @Test
    void aPurgeAndANewGenerationRacingNeverBringAPurgedKeyBack() throws Exception {
        for (int round = 0; round < 10; round++) {
            SubjectKeys keys = PrivacyFixture.subjectKeys(kek);
            SubjectKeys returning = PrivacyFixture.subjectKeys(kek);
            String customer = PrivacyFixture.newCustomerId();
            new ValueCipher(keys).encrypt(customer, AttributeValue.text("x"));
            keys.destroy(customer);
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            Future<Integer> purged = pool.submit(() -> {
                start.await();
                return keys.purgeRetired(customer, List.of(1L));
            });
            Future<AttributeValue> fresh = pool.submit(() -> {
                start.await();
                return new ValueCipher(returning).encrypt(customer, AttributeValue.text("back"));
            });
            start.countDown();
            assertThat(purged.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            fresh.get(30, TimeUnit.SECONDS);
            pool.shutdown();
            assertThat(keys.retiredGenerations(customer)).as("round %d", round).isEmpty();
            assertThat(PrivacyFixture.storedItem(customer)
                            .get(SubjectKeys.GENERATION)
                            .n())
                    .isEqualTo("2");
        }
    }

    @Test
    void encryptingUnlessErasedNeverMakesAKeyForAnErasedSubjectEvenWhenTheErasureLandsMidWay() throws Exception {
        // An erasure on another replica lands while this one is creating the subject's first key (its KEK is
        // wrapping the new key): the conditional write loses to the tombstone and the call is refused, where
        // `encrypt` would make generation 1 after the erasure (a returning customer).
        String customer = PrivacyFixture.newCustomerId();
        CountDownLatch wrapping = new CountDownLatch(1);
        CountDownLatch erased = new CountDownLatch(1);
        KeyEncryptionKey waiting = KeyEncryptionKey.of(
                new com.google.crypto.tink.Aead() {
                    @Override
                    public byte[] encrypt(byte[] plaintext, byte[] associatedData)
                            throws java.security.GeneralSecurityException {
                        wrapping.countDown();
                        try {
                            erased.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return kek.aead().encrypt(plaintext, associatedData);
                    }

                    @Override
                    public byte[] decrypt(byte[] ciphertext, byte[] associatedData)
                            throws java.security.GeneralSecurityException {
                        return kek.aead().decrypt(ciphertext, associatedData);
                    }
                },
                "test keyset that waits for an erasure while it wraps");
        ValueCipher reEncrypting = new ValueCipher(PrivacyFixture.subjectKeys(waiting));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<AttributeValue> encrypted =
                pool.submit(() -> reEncrypting.encryptUnlessErased(customer, AttributeValue.text("jane@example.com")));
        assertThat(wrapping.await(10, TimeUnit.SECONDS)).isTrue();
        Instant erasedAt = PrivacyFixture.subjectKeys(kek).destroy(customer);
        erased.countDown();

        assertThatThrownBy(() -> encrypted.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(SubjectErasedException.class)
                .hasMessageNotContaining("jane");
        pool.shutdown();
        assertThat(PrivacyFixture.storedItem(customer))
                .as("the tombstone stands: no key was made after the erasure")
                .containsEntry(
                        SubjectKeys.GENERATION,
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN("0"))
                .containsKey(SubjectKeys.DESTROYED_AT)
                .doesNotContainKey(SubjectKeys.KEYSET);
        assertThat(PrivacyFixture.subjectKeys(kek).lastErasure(customer)).isEqualTo(erasedAt);
    }

    @Test
    void encryptingUnlessErasedRefusesAReturningCustomerAndUsesALiveKeyOtherwise() {
        SubjectKeys keys = PrivacyFixture.subjectKeys(kek);
        ValueCipher cipher = new ValueCipher(keys);
        String never = PrivacyFixture.newCustomerId();
        AttributeValue first = cipher.encryptUnlessErased(never, AttributeValue.text("first"));
        assertThat(cipher.encryptUnlessErased(never, AttributeValue.text("second")))
                .satisfies(second -> assertThat(cipher.decrypt(second)).isEqualTo(AttributeValue.text("second")));
        assertThat(cipher.decrypt(first)).isEqualTo(AttributeValue.text("first"));
        assertThat(PrivacyFixture.storedItem(never).get(SubjectKeys.GENERATION).n())
                .isEqualTo("1");

        String returning = PrivacyFixture.newCustomerId();
        cipher.encrypt(returning, AttributeValue.text("old"));
        Instant erasedAt = keys.destroy(returning);
        cipher.encrypt(returning, AttributeValue.text("back again"));
        // cold cache and warm cache alike
        for (ValueCipher asked : List.of(new ValueCipher(PrivacyFixture.subjectKeys(kek)), cipher)) {
            assertThatThrownBy(() -> asked.encryptUnlessErased(returning, AttributeValue.text("plaintext of old")))
                    .isInstanceOfSatisfying(
                            SubjectErasedException.class,
                            e -> assertThat(e.erasedAt()).isEqualTo(erasedAt));
        }
        assertThat(PrivacyFixture.storedItem(returning)
                        .get(SubjectKeys.GENERATION)
                        .n())
                .isEqualTo("2");
    }

    @Test
    void destroyingASubjectThatNeverHadAKeyLeavesATombstone() {
        SubjectKeys keys = PrivacyFixture.subjectKeys(kek);
        String customer = PrivacyFixture.newCustomerId();

        Instant erasedAt = keys.destroy(customer);

        assertThat(PrivacyFixture.storedItem(customer)
                        .get(SubjectKeys.GENERATION)
                        .n())
                .isEqualTo("0");
        assertThatThrownBy(() -> keys.forDecryption(customer)).isInstanceOf(SubjectErasedException.class);
        new ValueCipher(keys).encrypt(customer, AttributeValue.text("first"));
        assertThat(PrivacyFixture.storedItem(customer)
                        .get(SubjectKeys.GENERATION)
                        .n())
                .isEqualTo("1");
        assertThat(keys.lastErasure(customer)).isEqualTo(erasedAt);
    }

    @Test
    void anotherReplicaKeepsADestroyedKeyAtMostForTheCacheTtl() throws Exception {
        Duration ttl = Duration.ofMillis(1500);
        ValueCipher replicaA = new ValueCipher(PrivacyFixture.subjectKeys(kek));
        SubjectKeys keysB = PrivacyFixture.subjectKeys(kek, 100, ttl);
        ValueCipher replicaB = new ValueCipher(keysB);
        String customer = PrivacyFixture.newCustomerId();
        AttributeValue stored = replicaA.encrypt(customer, AttributeValue.text("jane@example.com"));
        assertThat(replicaB.decrypt(stored)).isEqualTo(AttributeValue.text("jane@example.com"));

        PrivacyFixture.subjectKeys(kek).destroy(customer);

        // The documented window: B's cached key still opens the value until its entry expires.
        assertThat(replicaB.decrypt(stored)).isEqualTo(AttributeValue.text("jane@example.com"));
        Thread.sleep(ttl.toMillis() + 200);
        assertThatThrownBy(() -> replicaB.decrypt(stored)).isInstanceOf(SubjectErasedException.class);
        // A, whose TTL is 60 s, is still inside the window; the destroying instance itself is not (see above).
        assertThat(replicaA.decrypt(stored)).isEqualTo(AttributeValue.text("jane@example.com"));
    }

    /**
     * A replica that saw the erasure begin (its event on the topic, appended before the key is destroyed) stops
     * opening the subject's values the moment the key is destroyed: an outside probe read an erased member's e-mail
     * through a former survivor's profile for a minute on a replica that had cached the key.
     */
    @Test
    void aReplicaThatSawTheErasureBeginStopsOpeningItsValuesWhenTheKeyIsDestroyed() {
        ValueCipher replicaA = new ValueCipher(PrivacyFixture.subjectKeys(kek));
        ValueCipher replicaB = new ValueCipher(PrivacyFixture.subjectKeys(kek, 100, Duration.ofMinutes(1)));
        String customer = PrivacyFixture.newCustomerId();
        String other = PrivacyFixture.newCustomerId();
        AttributeValue stored = replicaA.encrypt(customer, AttributeValue.text("jane@example.com"));
        AttributeValue ofOther = replicaA.encrypt(other, AttributeValue.text("john@example.com"));
        assertThat(replicaB.decrypt(stored)).isEqualTo(AttributeValue.text("jane@example.com"));
        assertThat(replicaB.decrypt(ofOther)).isEqualTo(AttributeValue.text("john@example.com"));

        replicaB.erasureSeen(customer);
        // between the erasure's event and its key destruction the key is live, read from the table each time
        assertThat(replicaB.decrypt(stored)).isEqualTo(AttributeValue.text("jane@example.com"));
        PrivacyFixture.subjectKeys(kek).destroy(customer);

        assertThatThrownBy(() -> replicaB.decrypt(stored)).isInstanceOf(SubjectErasedException.class);
        assertThat(replicaB.decrypt(ofOther)).isEqualTo(AttributeValue.text("john@example.com"));
        // the customer comes back inside the window: its new values open, its old ones still do not
        AttributeValue returning = new ValueCipher(PrivacyFixture.subjectKeys(kek))
                .encrypt(customer, AttributeValue.text("jane.new@example.com"));
        assertThat(replicaB.decrypt(returning)).isEqualTo(AttributeValue.text("jane.new@example.com"));
        assertThat(replicaB.decrypt(returning)).isEqualTo(AttributeValue.text("jane.new@example.com"));
        assertThatThrownBy(() -> replicaB.decrypt(stored)).isInstanceOf(SubjectErasedException.class);
    }

    @Test
    void aDifferentKekCannotUnwrapStoredKeysButServesOtherSubjects() {
        ValueCipher original = new ValueCipher(PrivacyFixture.subjectKeys(kek));
        String customer = PrivacyFixture.newCustomerId();
        AttributeValue stored = original.encrypt(customer, AttributeValue.text("jane@example.com"));

        ValueCipher wrongKek = new ValueCipher(PrivacyFixture.subjectKeys(PrivacyFixture.newKek()));

        assertThatThrownBy(() -> wrongKek.decrypt(stored))
                .isExactlyInstanceOf(PrivacyException.class)
                .hasMessageContaining(customer)
                .hasMessageContaining("cannot be unwrapped")
                .hasMessageContaining("key-encryption key is not the one that wrapped it");
        assertThatThrownBy(() -> wrongKek.encrypt(customer, AttributeValue.text("x")))
                .isExactlyInstanceOf(PrivacyException.class);
        String other = PrivacyFixture.newCustomerId();
        AttributeValue ofOther = wrongKek.encrypt(other, AttributeValue.text("john@example.com"));
        assertThat(wrongKek.decrypt(ofOther)).isEqualTo(AttributeValue.text("john@example.com"));
        assertThat(original.decrypt(stored)).isEqualTo(AttributeValue.text("jane@example.com"));
    }

    @Test
    void aWrappedKeyCopiedToAnotherSubjectDoesNotUnwrap() {
        ValueCipher cipher = new ValueCipher(PrivacyFixture.subjectKeys(kek));
        String a = PrivacyFixture.newCustomerId();
        String b = PrivacyFixture.newCustomerId();
        cipher.encrypt(a, AttributeValue.text("a"));
        var item = new java.util.HashMap<>(PrivacyFixture.storedItem(a));
        item.put(
                dev.asof.support.storage.AsofTables.CUSTOMER_ID,
                software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(b));
        PrivacyFixture.dynamo()
                .putItem(r -> r.tableName(PrivacyFixture.TABLES.subjectKeys()).item(item));

        assertThatThrownBy(() -> new ValueCipher(PrivacyFixture.subjectKeys(kek)).encrypt(b, AttributeValue.text("b")))
                .isExactlyInstanceOf(PrivacyException.class)
                .hasMessageContaining("cannot be unwrapped");
    }

    @Test
    void theCacheIsBounded() {
        SubjectKeys keys = PrivacyFixture.subjectKeys(kek, 5, Duration.ofMinutes(5));
        ValueCipher cipher = new ValueCipher(keys);
        List<String> customers = new ArrayList<>();
        List<AttributeValue> values = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String customer = PrivacyFixture.newCustomerId();
            customers.add(customer);
            values.add(cipher.encrypt(customer, AttributeValue.text("v" + i)));
        }

        assertThat(keys.cachedKeys()).isLessThanOrEqualTo(5);
        for (int i = 0; i < 40; i++) {
            assertThat(cipher.decrypt(values.get(i))).isEqualTo(AttributeValue.text("v" + i));
        }
        assertThat(keys.cachedKeys()).isLessThanOrEqualTo(5);
    }
}
