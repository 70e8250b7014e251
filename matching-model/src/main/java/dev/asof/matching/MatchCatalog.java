package dev.asof.matching;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which attribute keys feed which match field. Several keys may feed one field (say {@code phone} and
 * {@code phone_mobile} both feed {@link MatchField#PHONE}); phones and emails then hold every value, the single-valued
 * fields take the first value that parses, in attribute-key order.
 */
public record MatchCatalog(Map<String, MatchField> fields) {

    public MatchCatalog {
        Objects.requireNonNull(fields, "fields");
        fields = Map.copyOf(fields);
    }

    /**
     * The default catalog: {@code phone}, {@code email}, {@code name_first}, {@code name_last},
     * {@code address.postcode} and {@code date_of_birth}.
     */
    public static MatchCatalog defaults() {
        Map<String, MatchField> fields = new LinkedHashMap<>();
        for (MatchField field : MatchField.values()) {
            fields.put(field.defaultAttribute(), field);
        }
        return new MatchCatalog(fields);
    }
}
