package dev.asof.reconstruction.integrations;

import dev.asof.events.AttributeVersion;
import dev.asof.events.Timestamps;
import dev.asof.reconstruction.profile.ProfileAnswer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The flat view: one JSON object of strings ({@code customer_id}, {@code resolved_customer_id}, {@code as_of},
 * {@code known_at}, then one field per attribute) that a Genesys data action output contract maps straight to
 * Architect variables and a CXone Studio script reads as {@code result.<name>}.
 *
 * <p>Size: the answer never exceeds {@link IntegrationProperties#maxFlatBytes()}. When a profile would, catalog
 * attributes are kept first (in catalog order), then the others by key, and whatever does not fit is left out;
 * the answer then says {@code "truncated": "true"} and {@code "omitted_attributes": "<count>"}. An attribute whose
 * field name is taken (a reserved field's, a catalog attribute's whether set or not) or shared with another key
 * ({@code a.b} and {@code a_b} are both {@code a_b}: the key spelled so keeps it; two dotted keys, neither) is left
 * out and counted the same way.
 */
@Component
public class FlatProfiles {

    private final AttributeCatalog catalog;
    private final IntegrationProperties properties;
    private final JsonMapper json;
    /** The field names no other attribute may have: the reserved fields' and the catalog attributes'. */
    private final Set<String> taken;

    FlatProfiles(AttributeCatalog catalog, IntegrationProperties properties, JsonMapper json) {
        this.catalog = catalog;
        this.properties = properties;
        this.json = json;
        Set<String> names = new HashSet<>(AttributeCatalog.RESERVED);
        catalog.attributes().forEach(entry -> names.add(entry.flatName()));
        this.taken = Set.copyOf(names);
    }

    /** The flat view of an answer. */
    public Map<String, String> flatten(ProfileAnswer answer) {
        Map<String, String> flat = new LinkedHashMap<>();
        flat.put("customer_id", answer.profile().customerId());
        flat.put("resolved_customer_id", answer.profile().resolvedCustomerId());
        flat.put("as_of", Timestamps.format(answer.asOf()));
        flat.put("known_at", Timestamps.format(answer.knownAt()));
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        Map<String, AttributeVersion> remaining =
                new LinkedHashMap<>(answer.profile().attributes());
        for (AttributeCatalog.Entry entry : catalog.attributes()) {
            AttributeVersion version = remaining.remove(entry.key());
            if (version != null) {
                fields.add(Map.entry(entry.flatName(), version.value().asText()));
            }
        }
        int unnamed = 0;
        if (!properties.catalogOnly()) {
            // A field name belongs to the reserved fields and to the catalog's attributes (set or not: a flow reads
            // it as that attribute), then to the one key spelled so, or to the one key that maps onto it. Any other
            // attribute whose name is taken or shared is left out and counted, never shown under another
            // attribute's name nor dropped unsaid (an outside probe's consent_marketing vanished so).
            Map<String, Integer> sharing = new HashMap<>();
            remaining.keySet().forEach(key -> sharing.merge(AttributeCatalog.defaultFlatName(key), 1, Integer::sum));
            for (Map.Entry<String, AttributeVersion> attribute : remaining.entrySet()) {
                String key = attribute.getKey();
                String name = AttributeCatalog.defaultFlatName(key);
                if (!taken.contains(name) && (key.equals(name) || sharing.get(name) == 1)) {
                    fields.add(Map.entry(name, attribute.getValue().value().asText()));
                } else {
                    unnamed++;
                }
            }
        }
        // Reserve room for the truncation marker so adding it never pushes the answer over the limit.
        int budget = properties.maxFlatBytes() - "\"truncated\":\"true\",\"omitted_attributes\":\"00000\",".length();
        int size = bytes(flat);
        int omitted = unnamed;
        for (Map.Entry<String, String> field : fields) {
            int fieldSize = bytes(Map.of(field.getKey(), field.getValue())) - 2 + 1;
            if (size + fieldSize <= budget) {
                flat.put(field.getKey(), field.getValue());
                size += fieldSize;
            } else {
                omitted++;
            }
        }
        if (omitted > 0) {
            flat.put("truncated", "true");
            flat.put("omitted_attributes", Integer.toString(omitted));
        }
        return flat;
    }

    private int bytes(Map<String, String> fields) {
        return json.writeValueAsString(fields).getBytes(StandardCharsets.UTF_8).length;
    }
}
