package dev.asof.matching;

/**
 * How many indexed profiles share one blocking key (a key from {@link BlockingKeys#of}). The blocking index answers
 * it; tests give a map. The model asks it for {@code phone:} and {@code email:} keys to tell a personal value from a
 * generic one (a switchboard, a shared mailbox).
 */
@FunctionalInterface
public interface KeyFrequencies {

    /** Profiles in the index that have this key; 0 when none. */
    int profilesSharing(String blockingKey);

    /** No key is shared by anyone: for a lone pair in a test. */
    static KeyFrequencies none() {
        return key -> 0;
    }
}
