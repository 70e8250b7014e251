package dev.asof.events;

import java.util.regex.Pattern;

/**
 * The attribute key grammar: {@code [a-z][a-z0-9_.]{0,127}}: lower case, starts with a letter, at most 128
 * characters; dots may group keys ({@code consent.marketing}).
 */
public final class AttributeKeys {

    /** The grammar as a regular expression. */
    public static final String PATTERN = "^[a-z][a-z0-9_.]{0,127}$";

    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private AttributeKeys() {}

    /** Whether {@code key} follows the grammar. */
    public static boolean isValid(String key) {
        return key != null && COMPILED.matcher(key).matches();
    }
}
