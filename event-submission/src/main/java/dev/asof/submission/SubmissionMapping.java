package dev.asof.submission;

import dev.asof.events.Violation;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** How one submitted element becomes the unified envelope, and how the envelope's broken rules read in its terms. */
public interface SubmissionMapping {

    /** The unified envelope of one element as sent; throws naming the sender's own fields. */
    JsonNode toEnvelope(JsonNode element);

    /** {@code violations} of the envelope mapped from {@code element}, named in the sender's own fields. */
    List<Violation> inSourceTerms(JsonNode element, List<Violation> violations);

    /** Elements that already are envelopes: nothing to map, nothing to rename. */
    SubmissionMapping ENVELOPE = new SubmissionMapping() {
        @Override
        public JsonNode toEnvelope(JsonNode element) {
            return element;
        }

        @Override
        public List<Violation> inSourceTerms(JsonNode element, List<Violation> violations) {
            return violations;
        }
    };
}
