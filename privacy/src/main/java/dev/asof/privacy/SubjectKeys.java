package dev.asof.privacy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import dev.asof.support.storage.AsofTables;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * The data key of each data subject (customer id): a Tink AEAD keyset with one AES-256-GCM key, generated on
 * first use and stored in {@code subject_keys} encrypted by the {@link KeyEncryptionKey}, with the customer id as
 * associated data (a wrapped key copied onto another subject's item does not unwrap).
 *
 * <p>An item is either a live key ({@code generation}, {@code keyset}, {@code created_at}) or, once the subject
 * was erased, a tombstone ({@code generation} of the destroyed key, {@code destroyed_at}, {@code erased_at}, no keyset). Every write
 * is conditional on the item read just before, so concurrent first users (threads, replicas) end with one key:
 * the losers read the winner's. {@link #destroy} replaces the key by a tombstone: from then on values encrypted
 * with it fail with {@link SubjectErasedException}. A later {@link #forEncryption} for the same id (a returning
 * customer) creates generation n+1, a new key that cannot open the old values; its item keeps the time of the
 * last erasure ({@code previous_destroyed_at}), so an old value still reports {@link SubjectErasedException}.
 *
 * <p>Unwrapped keys are cached (Caffeine, at most {@code asof.privacy.key-cache-size} subjects, each for at most
 * {@code asof.privacy.key-cache-ttl}) so reads stay fast. {@link #destroy} drops this instance's entry at once;
 * <b>another replica's cache keeps a destroyed key for at most the TTL</b>, and within that window it may still
 * <i>encrypt</i> with it: a returning customer's event accepted then carries values under the destroyed key. So
 * {@link #destroy} does not throw the key away at once: the tombstone keeps it aside as a <i>retired</i> key ({@code
 * retired_<generation>}, wrapped like a live key) that no read ever uses (every read of the old values fails as
 * erased from the moment of the tombstone), so the erasure can re-encrypt what was written under it after the
 * erasure ({@link ValueCipher#retiredReencryption}) once the caches have expired and the topic is drained, and then
 * {@link #purgeRetired destroys it for good}. A returning customer's next generation carries the retired keys along
 * until then. Tombstones are not cached: a read of an erased subject asks the table every time, and so sees a
 * returning customer's new key at once.
 *
 * <p>Every write is conditional on the item's {@code revision} as read (and the generation and tombstone state), so a
 * purge and a concurrent new generation cannot bring a purged key back.
 *
 * <p>A cache miss loads inside Caffeine's per-key computation: concurrent misses for one subject make one table
 * read (and at most one new key), and a {@link #destroy} on this instance waits for an in-flight load of the
 * subject, so it never leaves a destroyed key cached behind it. Hits never wait.
 */
public final class SubjectKeys {

    static final String GENERATION = "generation";
    static final String KEYSET = "keyset";
    static final String CREATED_AT = "created_at";
    static final String DESTROYED_AT = "destroyed_at";
    /** On a tombstone: the erasure's time (its request), which may come before the key's destruction. */
    static final String ERASED_AT = "erased_at";
    /** On a returning customer's key: the time of the last erasure (before {@link #ERASED_AT}: its destruction). */
    static final String PREVIOUS_DESTROYED_AT = "previous_destroyed_at";

    static final String RETIRED_PREFIX = "retired_";
    static final String REVISION = "revision";

    /**
     * How many cache TTLs a subject whose erasure was seen beginning has its key read past the cache: long enough
     * for the erasure to reach its key destruction even after a restart of the instance running it.
     */
    static final int ERASING_TTLS = 10;

    /** How often a conditional write may lose to another writer before the subject is reported as contended. */
    private static final int MAX_ATTEMPTS = 10;

    private final DynamoDbClient dynamo;
    private final String table;
    private final KeyEncryptionKey kek;
    private final Clock clock;
    private final Cache<String, LiveKey> cache;
    /** Subjects whose erasure this instance saw begin: their keys are never taken from {@link #cache} meanwhile. */
    private final Cache<String, Boolean> erasing;

    /** An unwrapped data key and the generation it belongs to. */
    record LiveKey(long generation, Aead aead, Instant previousErasure) {}

    /**
     * What the table says about a subject: nothing, a live key, or a tombstone; either may hold retired keys
     * (generation to wrapped keyset) that an erasure still has to purge.
     */
    /**
     * @param erasedAt on a tombstone, the erasure's time ({@link #ERASED_AT}; a tombstone written before it existed: the
     *     destruction's)
     * @param previousErasure on a returning customer's key, the time of the last erasure
     */
    private record Stored(
            long generation,
            byte[] wrappedKeyset,
            Instant destroyedAt,
            Instant erasedAt,
            Instant previousErasure,
            Map<Long, byte[]> retired,
            long revision) {
        boolean destroyed() {
            return destroyedAt != null;
        }

        /** The time of the subject's last erasure: from it on a value stamped earlier is erased data. */
        Instant lastErasure() {
            return destroyed() ? erasedAt : previousErasure;
        }
    }

    public SubjectKeys(
            DynamoDbClient dynamo,
            AsofTables tables,
            KeyEncryptionKey kek,
            int cacheSize,
            Duration cacheTtl,
            Clock clock) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = tables.subjectKeys();
        this.kek = Objects.requireNonNull(kek, "kek");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cache = Caffeine.newBuilder()
                .maximumSize(cacheSize)
                .expireAfterWrite(cacheTtl)
                .build();
        // erasures are few: bounded far above any bulk erasure run, so none is dropped inside its window
        this.erasing = Caffeine.newBuilder()
                .maximumSize(1_000_000)
                .expireAfterWrite(cacheTtl.multipliedBy(ERASING_TTLS))
                .build();
    }

    public SubjectKeys(DynamoDbClient dynamo, AsofTables tables, KeyEncryptionKey kek, PrivacyProperties properties) {
        this(dynamo, tables, kek, properties.keyCacheSize(), properties.keyCacheTtl(), Clock.systemUTC());
    }

    /** The subject's current data key, created (or, after an erasure, created anew as the next generation). */
    LiveKey forEncryption(String customerId) {
        return cache.get(customerId, id -> loadOrCreate(id, true));
    }

    /**
     * The subject's current data key, created only if the subject never had one: for values written before
     * encryption was turned on ({@code ReEncryption}). Unlike {@link #forEncryption} it never makes a new generation
     * after an erasure, and the refusal is decided by the same conditional write that would create the key, so an
     * erasure landing at any moment either comes first (refused) or destroys the key made here.
     *
     * @throws SubjectErasedException the subject was erased, whether or not it came back since
     */
    LiveKey forEncryptionUnlessErased(String customerId) {
        LiveKey key = cache.get(customerId, id -> loadOrCreate(id, false));
        if (key.previousErasure() != null) {
            throw new SubjectErasedException(customerId, key.previousErasure());
        }
        return key;
    }

    /**
     * The subject's current data key, to decrypt with.
     *
     * @throws SubjectErasedException the subject was erased and has no newer key
     * @throws PrivacyException the subject never had a key, or its key cannot be unwrapped with this KEK
     */
    LiveKey forDecryption(String customerId) {
        if (erasing.getIfPresent(customerId) != null) {
            return checkedAgainstTheTable(customerId);
        }
        return cache.get(customerId, this::loadExisting);
    }

    /**
     * The subject's key as the table says it is now (one consistent read): an erased subject's values stop opening
     * at once; a live key of the generation already unwrapped here is used without unwrapping again (with a KMS KEK
     * that is a KMS call spared per value), a newer generation (a returning customer) is unwrapped and kept.
     */
    private LiveKey checkedAgainstTheTable(String customerId) {
        Stored stored = read(customerId);
        if (stored == null || stored.destroyed()) {
            cache.invalidate(customerId);
            live(customerId, stored);
        }
        LiveKey known = cache.getIfPresent(customerId);
        if (known != null && known.generation() == stored.generation()) {
            return known;
        }
        LiveKey unwrapped = unwrap(customerId, stored);
        cache.put(customerId, unwrapped);
        return unwrapped;
    }

    /**
     * This instance saw the subject's erasure begin (its {@code CUSTOMER_PROFILE_ERASED} event, which the erasure
     * appends before it destroys the key): for {@link #ERASING_TTLS} cache TTLs its key item is read from the table at
     * every decryption (the unwrapped key of a live generation is reused), so the subject's values stop opening here
     * the moment the key is destroyed, not up to a TTL later. An outside probe read an erased member's e-mail
     * through a former survivor's point-in-time profile for a minute after the destruction, on a replica that had
     * cached the member's key.
     */
    public void erasureSeen(String customerId) {
        erasing.put(customerId, Boolean.TRUE);
        cache.invalidate(customerId);
    }

    /**
     * Reads the subject's key again from the table, past the cache: after a value failed to open with a cached
     * key, which another replica may have destroyed (or replaced by a returning customer's) since.
     */
    LiveKey refreshForDecryption(String customerId) {
        cache.invalidate(customerId);
        return forDecryption(customerId);
    }

    /**
     * What the subject's key item says of its erasures, in one read: when its last key was destroyed ({@code null}:
     * never; a returning customer keeps the time) and whether an erasure is under way (a destroyed key still kept
     * aside, see the class comment).
     */
    public record ErasureStatus(Instant lastErasure, boolean underWay) {}

    /** The subject's {@link ErasureStatus}, read from the table (never cached). */
    public ErasureStatus erasureStatus(String customerId) {
        Stored stored = read(customerId);
        return stored == null
                ? new ErasureStatus(null, false)
                : new ErasureStatus(stored.lastErasure(), !stored.retired().isEmpty());
    }

    /** When the subject's last key was destroyed, if it ever was (a returning customer keeps the time). */
    public Instant lastErasure(String customerId) {
        Stored stored = read(customerId);
        return stored == null ? null : stored.lastErasure();
    }

    /** {@link #destroy(String, Instant)} for an erasure at the moment of the destruction. */
    public Instant destroy(String customerId) {
        return destroy(customerId, null);
    }

    /**
     * Destroys the subject's data key: its item becomes a tombstone holding the generation, the time of the erasure
     * ({@code erasedAt}, its request, {@code null}: the destruction's: what {@link #lastErasure} answers from then on, so intake refuses exactly the
     * stamps the fold's erasure hides) and the time of the destruction, and this instance's cache entry is dropped at
     * once (other replicas' within the cache TTL). Idempotent: destroying an erased subject again changes nothing and
     * returns the first destruction's time. A subject that never had a key gets a tombstone too (generation 0), so
     * values claiming to be its ciphertexts report the erasure.
     *
     * @return when the key was destroyed (the caches' wait counts from it)
     */
    public Instant destroy(String customerId, Instant erasedAt) {
        try {
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Stored stored = read(customerId);
                if (stored != null && stored.destroyed()) {
                    return stored.destroyedAt();
                }
                Instant now = clock.instant();
                Map<String, AttributeValue> item = new HashMap<>();
                item.put(AsofTables.CUSTOMER_ID, s(customerId));
                item.put(GENERATION, n(stored == null ? 0 : stored.generation()));
                item.put(DESTROYED_AT, s(now.toString()));
                item.put(ERASED_AT, s((erasedAt == null || erasedAt.isAfter(now) ? now : erasedAt).toString()));
                carryRetired(item, stored);
                if (stored != null) {
                    // kept aside, never read with, until the erasure purges it (see the class comment)
                    item.put(
                            RETIRED_PREFIX + stored.generation(),
                            AttributeValue.fromB(SdkBytes.fromByteArray(stored.wrappedKeyset())));
                }
                if (putIfUnchanged(item, stored)) {
                    return now;
                }
            }
            throw contended(customerId);
        } finally {
            cache.invalidate(customerId);
        }
    }

    /** How many unwrapped keys this instance holds right now (after pending evictions). */
    long cachedKeys() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private LiveKey loadExisting(String customerId) {
        return unwrap(customerId, live(customerId, read(customerId)));
    }

    /** {@code stored} when it is a live key; otherwise why the subject's values do not open. */
    private Stored live(String customerId, Stored stored) {
        if (stored == null) {
            throw new PrivacyException("customer " + customerId + " has no data key in " + table
                    + ": the value was not encrypted for this customer by asof");
        }
        if (stored.destroyed()) {
            throw new SubjectErasedException(customerId, stored.lastErasure());
        }
        return stored;
    }

    /**
     * @param afterErasure whether a tombstone may be followed by a new generation (a returning customer); if not, a
     *     tombstone read in any attempt is {@link SubjectErasedException}
     */
    private LiveKey loadOrCreate(String customerId, boolean afterErasure) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Stored stored = read(customerId);
            if (stored != null && !stored.destroyed()) {
                return unwrap(customerId, stored);
            }
            if (stored != null && !afterErasure) {
                throw new SubjectErasedException(customerId, stored.lastErasure());
            }
            long generation = stored == null ? 1 : stored.generation() + 1;
            KeysetHandle keyset;
            byte[] wrapped;
            try {
                keyset = Tink.newAes256GcmKeyset();
                wrapped =
                        TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, kek.aead(), associatedData(customerId));
            } catch (GeneralSecurityException e) {
                throw new PrivacyException("cannot create a data key for customer " + customerId, e);
            }
            Map<String, AttributeValue> item = new HashMap<>();
            item.put(AsofTables.CUSTOMER_ID, s(customerId));
            item.put(GENERATION, n(generation));
            item.put(KEYSET, AttributeValue.fromB(SdkBytes.fromByteArray(wrapped)));
            item.put(CREATED_AT, s(clock.instant().toString()));
            if (stored != null) {
                item.put(PREVIOUS_DESTROYED_AT, s(stored.lastErasure().toString()));
            }
            carryRetired(item, stored);
            if (putIfUnchanged(item, stored)) {
                try {
                    return new LiveKey(generation, Tink.aead(keyset), stored == null ? null : stored.lastErasure());
                } catch (GeneralSecurityException e) {
                    throw new PrivacyException("cannot use the new data key of customer " + customerId, e);
                }
            }
            // Another thread or replica wrote first: read what it wrote.
        }
        throw contended(customerId);
    }

    private LiveKey unwrap(String customerId, Stored stored) {
        try {
            KeysetHandle keyset = TinkProtoKeysetFormat.parseEncryptedKeyset(
                    stored.wrappedKeyset(), kek.aead(), associatedData(customerId));
            return new LiveKey(stored.generation(), Tink.aead(keyset), stored.previousErasure());
        } catch (GeneralSecurityException e) {
            throw new PrivacyException(
                    "the data key of customer " + customerId + " (generation " + stored.generation() + ") in " + table
                            + " cannot be unwrapped with " + kek
                            + ": the key-encryption key is not the one that wrapped it, or the item was altered",
                    e);
        }
    }

    /**
     * Wraps the subject's stored data key again under the KEK's current primary key, after the KEK was rotated (a new
     * primary key added to the local keyset): once every item is rewrapped, the old key can leave the keyset. The data
     * key itself, and so every value encrypted with it, stays the same. Written only if the item is still what was
     * read, so a destroy or a new generation in between wins.
     *
     * @return {@code true} if the item was rewrapped (its live key and any retired key, see the class comment);
     *     {@code false} if the subject has no key, its key was destroyed and no retired key is left, or the item
     *     changed meanwhile (run the pass again)
     * @throws PrivacyException the stored key cannot be unwrapped with this KEK (the old key already left the keyset)
     */
    public boolean rewrap(String customerId) {
        Stored stored = read(customerId);
        if (stored == null || stored.destroyed() && stored.retired().isEmpty()) {
            return false;
        }
        Map<String, String> names = new HashMap<>(Map.of("#g", GENERATION, "#r", REVISION));
        Map<String, AttributeValue> values =
                new HashMap<>(Map.of(":g", n(stored.generation()), ":next", n(stored.revision() + 1)));
        List<String> sets = new ArrayList<>(List.of("#r = :next"));
        if (!stored.destroyed()) {
            names.put("#k", KEYSET);
            values.put(
                    ":k", AttributeValue.fromB(SdkBytes.fromByteArray(rewrapped(customerId, stored.wrappedKeyset()))));
            sets.add("#k = :k");
        }
        // a key an erasure under way keeps aside is wrapped like a live one, so it is rewrapped too
        int i = 0;
        for (Map.Entry<Long, byte[]> retired : stored.retired().entrySet()) {
            names.put("#t" + i, RETIRED_PREFIX + retired.getKey());
            values.put(
                    ":t" + i, AttributeValue.fromB(SdkBytes.fromByteArray(rewrapped(customerId, retired.getValue()))));
            sets.add("#t" + i + " = :t" + i);
            i++;
        }
        String condition = "#g = :g AND " + revisionCondition(stored, values);
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(AsofTables.CUSTOMER_ID, s(customerId)))
                    .updateExpression("SET " + String.join(", ", sets))
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
    }

    /** {@code wrapped} (a data key wrapped for {@code customerId}) wrapped again under the KEK's primary key. */
    private byte[] rewrapped(String customerId, byte[] wrapped) {
        try {
            KeysetHandle keyset =
                    TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped, kek.aead(), associatedData(customerId));
            return TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, kek.aead(), associatedData(customerId));
        } catch (GeneralSecurityException e) {
            throw new PrivacyException(
                    "a data key of customer " + customerId + " in " + table + " cannot be unwrapped with " + kek
                            + ", so it cannot be rewrapped",
                    e);
        }
    }

    /** Writes {@code item} if the subject's item is still what was read ({@code expected}; null: no item). */
    private boolean putIfUnchanged(Map<String, AttributeValue> item, Stored expected) {
        item.put(REVISION, n(expected == null ? 1 : expected.revision() + 1));
        PutItemRequest.Builder put = PutItemRequest.builder().tableName(table).item(item);
        if (expected == null) {
            put.conditionExpression("attribute_not_exists(#id)")
                    .expressionAttributeNames(Map.of("#id", AsofTables.CUSTOMER_ID));
        } else {
            Map<String, AttributeValue> values = new HashMap<>(Map.of(":g", n(expected.generation())));
            put.conditionExpression("#g = :g AND "
                            + (expected.destroyed() ? "attribute_exists" : "attribute_not_exists") + "(#d) AND "
                            + revisionCondition(expected, values))
                    .expressionAttributeNames(Map.of("#g", GENERATION, "#d", DESTROYED_AT, "#r", REVISION))
                    .expressionAttributeValues(values);
        }
        try {
            dynamo.putItem(put.build());
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
    }

    private Stored read(String customerId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .key(Map.of(AsofTables.CUSTOMER_ID, s(customerId)))
                        .consistentRead(true))
                .item();
        if (item == null || item.isEmpty()) {
            return null;
        }
        long generation = Long.parseLong(item.get(GENERATION).n());
        Map<Long, byte[]> retired = new TreeMap<>();
        item.forEach((name, value) -> {
            if (name.startsWith(RETIRED_PREFIX)) {
                retired.put(
                        Long.parseLong(name.substring(RETIRED_PREFIX.length())),
                        value.b().asByteArray());
            }
        });
        AttributeValue revision = item.get(REVISION);
        long rev = revision == null ? 0 : Long.parseLong(revision.n());
        AttributeValue destroyed = item.get(DESTROYED_AT);
        if (destroyed != null) {
            AttributeValue erased = item.get(ERASED_AT);
            Instant destroyedAt = Instant.parse(destroyed.s());
            return new Stored(
                    generation,
                    null,
                    destroyedAt,
                    erased == null ? destroyedAt : Instant.parse(erased.s()),
                    null,
                    retired,
                    rev);
        }
        AttributeValue previous = item.get(PREVIOUS_DESTROYED_AT);
        return new Stored(
                generation,
                item.get(KEYSET).b().asByteArray(),
                null,
                null,
                previous == null ? null : Instant.parse(previous.s()),
                retired,
                rev);
    }

    /** The condition "the item's revision is still the one read" (items written before revisions have none). */
    private static String revisionCondition(Stored expected, Map<String, AttributeValue> values) {
        if (expected.revision() == 0) {
            return "attribute_not_exists(#r)";
        }
        values.put(":r", n(expected.revision()));
        return "#r = :r";
    }

    /** Copies the retired keys of {@code stored} onto {@code item}, the subject's next item. */
    private static void carryRetired(Map<String, AttributeValue> item, Stored stored) {
        if (stored != null) {
            stored.retired()
                    .forEach((generation, wrapped) -> item.put(
                            RETIRED_PREFIX + generation, AttributeValue.fromB(SdkBytes.fromByteArray(wrapped))));
        }
    }

    /**
     * The generations of the subject's keys that were destroyed by an erasure still under way (kept aside until it
     * {@link #purgeRetired purges} them); empty when there are none.
     */
    public List<Long> retiredGenerations(String customerId) {
        Stored stored = read(customerId);
        return stored == null ? List.of() : List.copyOf(stored.retired().keySet());
    }

    /**
     * The subject's retired keys (see the class comment), unwrapped: only the erasure's re-encryption of values
     * written under a destroyed key after the erasure uses them; no read does.
     */
    List<Aead> retiredKeys(String customerId) {
        Stored stored = read(customerId);
        if (stored == null) {
            return List.of();
        }
        List<Aead> keys = new ArrayList<>();
        for (Map.Entry<Long, byte[]> retired : stored.retired().entrySet()) {
            try {
                keys.add(Tink.aead(TinkProtoKeysetFormat.parseEncryptedKeyset(
                        retired.getValue(), kek.aead(), associatedData(customerId))));
            } catch (GeneralSecurityException e) {
                throw new PrivacyException(
                        "the retired data key of customer " + customerId + " (generation " + retired.getKey() + ") in "
                                + table + " cannot be unwrapped with " + kek,
                        e);
            }
        }
        return keys;
    }

    /**
     * Destroys the retired keys of {@code generations} for good (an erasure's last step on the subject's keys). Written
     * only if the item is still what was read, and read again otherwise; idempotent.
     *
     * @return how many of them were still there
     */
    public int purgeRetired(String customerId, Collection<Long> generations) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Stored stored = read(customerId);
            if (stored == null) {
                return 0;
            }
            List<Long> present = generations.stream()
                    .filter(stored.retired()::containsKey)
                    .distinct()
                    .toList();
            if (present.isEmpty()) {
                return 0;
            }
            Map<String, String> names = new HashMap<>(Map.of("#r", REVISION));
            List<String> removed = new ArrayList<>();
            for (int i = 0; i < present.size(); i++) {
                names.put("#k" + i, RETIRED_PREFIX + present.get(i));
                removed.add("#k" + i);
            }
            Map<String, AttributeValue> values = new HashMap<>(Map.of(":next", n(stored.revision() + 1)));
            String condition = revisionCondition(stored, values);
            try {
                dynamo.updateItem(b -> b.tableName(table)
                        .key(Map.of(AsofTables.CUSTOMER_ID, s(customerId)))
                        .updateExpression("SET #r = :next REMOVE " + String.join(", ", removed))
                        .conditionExpression(condition)
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(values));
                return present.size();
            } catch (ConditionalCheckFailedException changed) {
                // a new generation or another purge came first: read again
            }
        }
        throw contended(customerId);
    }

    private PrivacyException contended(String customerId) {
        return new PrivacyException("the data key item of customer " + customerId + " in " + table + " changed "
                + MAX_ATTEMPTS + " times while it was being written; try again");
    }

    /** The customer id, bound to its wrapped key and to every value encrypted for it. */
    static byte[] associatedData(String customerId) {
        return customerId.getBytes(StandardCharsets.UTF_8);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
