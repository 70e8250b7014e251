package dev.asof.events;

import java.util.regex.Pattern;

/**
 * The grammar of identifiers ({@code customer_id}, {@code event_id}, {@code merged_into}, {@code merged_from}):
 * 1 to 128 characters of ASCII letters, digits and {@code . _ - : @ + =}, starting with a letter or digit.
 *
 * <p>Identifiers end up in URL paths, DynamoDB keys, Kafka keys and log lines: no slash (it would split a path),
 * no control character, no space, no character that two encodings could read differently, so two different ids
 * can never become one. UUIDs, Genesys and CXone ids, e-mail addresses and {@code cust_88291023} all fit.
 */
public final class Identifiers {

    /** The longest identifier. */
    public static final int MAX_LENGTH = 128;

    /** The grammar as a regular expression (the JSON Schema uses the same one). */
    public static final String PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$";

    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private Identifiers() {}

    /** Whether {@code id} follows the grammar. */
    public static boolean isValid(String id) {
        return id != null && COMPILED.matcher(id).matches();
    }
}
