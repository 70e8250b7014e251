package dev.asof.reconstruction.integrations;

import dev.asof.events.AttributeKeys;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The attributes a contact centre flow may read ({@code asof.catalog.attributes[i].*}): what each means, its
 * type, whether it is personal data, and its name in the flat view. It drives {@code view=flat} and the
 * generated Genesys data action's output contract.
 */
@Validated
@ConfigurationProperties("asof.catalog")
public record AttributeCatalog(@Valid List<Entry> attributes) {

    /** Names the flat view uses for its own fields; no attribute may take them. */
    static final Set<String> RESERVED =
            Set.of("customer_id", "resolved_customer_id", "as_of", "known_at", "truncated", "omitted_attributes");

    public AttributeCatalog {
        attributes = attributes == null ? List.of() : List.copyOf(attributes);
        Set<String> flatNames = new HashSet<>();
        for (Entry entry : attributes) {
            if (!AttributeKeys.isValid(entry.key())) {
                throw new IllegalArgumentException("catalog key '" + entry.key() + "' breaks " + AttributeKeys.PATTERN);
            }
            if (RESERVED.contains(entry.flatName()) || !flatNames.add(entry.flatName())) {
                throw new IllegalArgumentException("catalog flat name '" + entry.flatName()
                        + "' is reserved or used twice; set flat-name to tell them apart");
            }
        }
    }

    /**
     * One attribute.
     *
     * @param key the attribute key in events
     * @param type {@code string}, {@code number} or {@code boolean}: what the text in the flat view holds
     * @param description for the people building flows
     * @param pii whether it is personal data (shown in the catalog and the data action's contract)
     * @param flatName its name in the flat view; default: the key with dots as underscores
     */
    public record Entry(
            @NotBlank String key,

            @NotNull @Pattern(regexp = "string|number|boolean") @DefaultValue("string")
            String type,

            @DefaultValue("") String description,
            @DefaultValue("false") boolean pii,
            String flatName) {

        public Entry {
            flatName = flatName == null || flatName.isBlank() ? defaultFlatName(key) : flatName;
        }
    }

    /** The flat-view name of a key not in the catalog: dots become underscores. */
    static String defaultFlatName(String key) {
        return key == null ? null : key.replace('.', '_').toLowerCase(Locale.ROOT);
    }
}
