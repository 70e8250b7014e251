package dev.asof.matching;

/**
 * The fields the matcher compares. Each has the attribute key that feeds it in the default catalog; that key is also
 * the {@code attribute} an {@link Evidence} names, whatever catalog fed the field.
 */
public enum MatchField {
    PHONE("phone"),
    EMAIL("email"),
    FIRST_NAME("name_first"),
    LAST_NAME("name_last"),
    POSTCODE("address.postcode"),
    DATE_OF_BIRTH("date_of_birth");

    private final String defaultAttribute;

    MatchField(String defaultAttribute) {
        this.defaultAttribute = defaultAttribute;
    }

    /** The attribute key that feeds this field in {@link MatchCatalog#defaults()}. */
    public String defaultAttribute() {
        return defaultAttribute;
    }
}
