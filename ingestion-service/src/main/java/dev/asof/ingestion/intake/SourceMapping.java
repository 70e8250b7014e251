package dev.asof.ingestion.intake;

import dev.asof.events.Violation;
import dev.asof.submission.SubmissionMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * How one platform's payload becomes the unified envelope, and how the envelope's broken rules read in the
 * platform's own field names: a CXone Studio author who sent {@code timestamp} must be told about {@code
 * timestamp}, not about an envelope field they never wrote.
 */
interface SourceMapping extends SubmissionMapping {

    /** The unified envelope of one element as the platform sent it; throws naming the platform's own fields. */
    @Override
    JsonNode toEnvelope(JsonNode element);

    /** Where each envelope field came from in {@code element}, as JSON pointers; empty when the element is one. */
    Map<String, String> sourcePointers(JsonNode element);

    /** The unified envelope itself: nothing to map, nothing to rename. */
    SourceMapping UNIFIED = new SourceMapping() {
        @Override
        public JsonNode toEnvelope(JsonNode element) {
            return element;
        }

        @Override
        public Map<String, String> sourcePointers(JsonNode element) {
            return Map.of();
        }
    };

    /**
     * {@code violations} of the envelope mapped from {@code element}, with pointers and the field named in each
     * message rewritten to the platform's own fields. A violation of a field the mapping fills in itself keeps the
     * envelope's name.
     */
    @Override
    default List<Violation> inSourceTerms(JsonNode element, List<Violation> violations) {
        Map<String, String> pointers = sourcePointers(element);
        if (pointers.isEmpty()) {
            return violations;
        }
        List<Violation> renamed = new ArrayList<>(violations.size());
        for (Violation violation : violations) {
            renamed.add(rename(violation, pointers));
        }
        return renamed;
    }

    private static Violation rename(Violation violation, Map<String, String> pointers) {
        String pointer = violation.pointer();
        for (Map.Entry<String, String> mapping : pointers.entrySet()) {
            String from = mapping.getKey();
            if (pointer.equals(from) || pointer.startsWith(from + "/")) {
                String to = mapping.getValue() + pointer.substring(from.length());
                String message = violation.message().replace(readable(pointer), readable(to));
                return new Violation(to, violation.rule(), message);
            }
        }
        return violation;
    }

    /** A pointer as messages name a field: {@code /payload/new_value} reads {@code payload.new_value}. */
    private static String readable(String pointer) {
        return pointer.isEmpty() ? "the event" : pointer.substring(1).replace('/', '.');
    }
}
