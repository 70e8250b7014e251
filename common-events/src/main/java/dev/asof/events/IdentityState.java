package dev.asof.events;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * The folded state of one identity's own events: the latest version of each attribute, the latest erasure and
 * the latest merge link. A join (least upper bound) of versions: folding is order-independent and idempotent,
 * so a snapshot is a partial result and a late event simply joins in.
 *
 * @param customerId the identity
 * @param attributes latest version per attribute key, removals included, none older than {@code erasedAt}
 * @param erasedAt the latest erasure; {@code null} if none
 * @param link the latest merge or unmerge; {@code null} if none
 */
public record IdentityState(
        String customerId, Map<String, AttributeVersion> attributes, Version erasedAt, MergeLink link) {

    public IdentityState {
        Objects.requireNonNull(customerId, "customerId");
        attributes = Map.copyOf(attributes);
    }

    /** This state with every attribute's value replaced by {@code mapping} of it (decryption on reads). */
    public IdentityState withValues(UnaryOperator<AttributeValue> mapping) {
        return withValues((value, version) -> mapping.apply(value));
    }

    /**
     * This state with every attribute's value replaced by {@code mapping} of it and of the version that set it (a read
     * that treats a value by where it stands in the fold).
     */
    public IdentityState withValues(BiFunction<AttributeValue, Version, AttributeValue> mapping) {
        Map<String, AttributeVersion> mapped = new HashMap<>();
        attributes.forEach((key, version) -> mapped.put(
                key,
                new AttributeVersion(
                        version.key(),
                        mapping.apply(version.value(), version.version()),
                        version.version(),
                        version.sourceSystem())));
        return new IdentityState(customerId, mapped, erasedAt, link);
    }

    /** The state of an identity no event has touched. */
    public static IdentityState empty(String customerId) {
        return new IdentityState(customerId, Map.of(), null, null);
    }

    /** The attributes that are present and not erased, sorted by key. */
    public Map<String, AttributeVersion> visibleAttributes() {
        Map<String, AttributeVersion> visible = new TreeMap<>();
        attributes.forEach((key, version) -> {
            if (version.isPresent()) {
                visible.put(key, version);
            }
        });
        return visible;
    }

    /**
     * The merge link in force: the latest link, except that an erasure at or after it ends it (an erased identity is
     * no longer merged into anything, so a customer that comes back after its erasure is a profile of its own, not
     * a member of the erased group); then the same link, inactive. {@code null} when the identity never had one. The
     * stored {@link #link} stays the latest link event, so the fold remains a join.
     */
    public MergeLink linkInForce() {
        if (link == null || !link.active() || erasedAt == null || link.version().isAfter(erasedAt)) {
            return link;
        }
        return new MergeLink(link.mergedInto(), false, link.version());
    }

    /** Whether no event has touched this identity. */
    public boolean isEmpty() {
        return attributes.isEmpty() && erasedAt == null && link == null;
    }
}
