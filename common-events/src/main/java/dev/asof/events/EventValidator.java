package dev.asof.events;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Checks an envelope against the contract and reports every violation with its JSON pointer (RFC 6901), a
 * stable rule name and a message naming the field.
 *
 * <p>Two layers: the JSON Schema shipped in this jar ({@value #SCHEMA_RESOURCE}, draft 2020-12), and the rules a
 * schema cannot express:
 *
 * <ul>
 *   <li>{@code max-values}: the event holds more than {@value #MAX_VALUES} JSON values (checked first and alone,
 *       so no input makes the validator build an unbounded list of violations);
 *   <li>{@code unicode}: a string or property name holds an unpaired UTF-16 surrogate ({@code "\ud800"}), which
 *       has no UTF-8 form and would be stored as something else;
 *   <li>{@code timestamp-offset}: {@code timestamp_utc} has no {@code Z} or offset (a local time is ambiguous);
 *       {@code date-time}: it is no ISO-8601 date-time at all; {@code timestamp-range}: it lies outside {@link
 *       Timestamps#range()}, which the log cannot store;
 *   <li>{@code merged-from}: a merge or unmerge travels in the stream of {@code merged_from}, so {@code
 *       merged_from} must equal {@code customer_id}; {@code self-merge}: {@code merged_into} must differ from it;
 *       {@code evidence-size}: its {@code evidence} takes at most {@value #MAX_EVIDENCE_BYTES} bytes as compact
 *       JSON;
 *   <li>{@code value-size}: a value's JSON text (and, for a number, its plain decimal form) is at most {@link
 *       AttributeValue#MAX_JSON_BYTES} UTF-8 bytes; an encrypted value ({@link EncryptedValues}) at most {@link
 *       EncryptedValues#MAX_TEXT_LENGTH} characters;
 *   <li>{@code event-size}: the event's JSON text is more than {@value #MAX_EVENT_BYTES} bytes, or {@link
 *       EncryptedValues#MAX_EVENT_BYTES} when its values are encrypted (a log item must fit DynamoDB's item size
 *       with room to spare);
 *   <li>{@code schema-version}: a {@code schema_version} this code does not understand, or a field that came with
 *       a later version than the event says ({@code reason}, {@code decided_by} and {@code evidence} of a merge or
 *       unmerge need version 2).
 * </ul>
 *
 * <p>These are the rules of what the log can store: intake refuses what breaks them with 400 before answering
 * {@code 202}, and the log writer checks the same rules again, so the two cannot disagree.
 *
 * <p>Violations come sorted by pointer (array indexes numerically), then rule, with at most one violation per
 * pointer and rule, so the same input always gives the same list. An unknown {@code event_type} is an {@code
 * enum} violation; its payload cannot be checked further.
 */
public final class EventValidator {

    /** The classpath location of the envelope schema. */
    public static final String SCHEMA_RESOURCE = "/schema/event-envelope.schema.json";

    private static final Schema SCHEMA = loadSchema();

    private static final Comparator<Violation> ORDER = Comparator.comparing(
                    Violation::pointer, EventValidator::comparePointers)
            .thenComparing(Violation::rule)
            .thenComparing(Violation::message);

    /** The most JSON values (objects, arrays, scalars) one event may hold; a full bulk update holds about 2,000. */
    public static final int MAX_VALUES = 4096;

    /** The most bytes an event's JSON text may take. */
    public static final int MAX_EVENT_BYTES = 256 * 1024;

    /** The largest {@code evidence} of a merge or unmerge, in bytes of compact UTF-8 JSON. */
    public static final int MAX_EVIDENCE_BYTES = 4096;

    private EventValidator() {}

    /** Every violation in {@code node}; empty when it is a valid envelope. */
    public static List<Violation> validate(JsonNode node) {
        if (node == null || node.isMissingNode() || !node.isObject()) {
            return List.of(new Violation(
                    "", "type", "the event must be a JSON object, not " + (node == null ? "nothing" : describe(node))));
        }
        if (countValues(node, MAX_VALUES + 1) > MAX_VALUES) {
            return List.of(new Violation(
                    "",
                    "max-values",
                    "the event holds more than " + MAX_VALUES + " JSON values; an event holds at most " + MAX_VALUES));
        }
        Map<String, Violation> found = new LinkedHashMap<>();
        unpairedSurrogates(node, "", found);
        for (com.networknt.schema.Error error : SCHEMA.validate(node)) {
            add(found, fromSchema(error));
        }
        semanticRules(node).forEach(violation -> add(found, violation));
        List<Violation> violations = new ArrayList<>(found.values());
        violations.sort(ORDER);
        return List.copyOf(violations);
    }

    /** How many values {@code node} holds, counting no further than {@code limit}. */
    private static int countValues(JsonNode node, int limit) {
        int count = 1;
        for (JsonNode child : node) {
            if (count >= limit) {
                return count;
            }
            count += countValues(child, limit - count);
        }
        return count;
    }

    /**
     * The strings and property names in {@code node} (at JSON pointer {@code at}) that hold an unpaired UTF-16
     * surrogate, one violation (rule {@code unicode}) each: for bodies other than events, checked as events are.
     */
    public static List<Violation> unpairedSurrogates(JsonNode node, String at) {
        Map<String, Violation> found = new LinkedHashMap<>();
        unpairedSurrogates(node, at, found);
        return List.copyOf(found.values());
    }

    private static void unpairedSurrogates(JsonNode node, String at, Map<String, Violation> found) {
        if (node.isString() && hasUnpairedSurrogate(node.stringValue())) {
            add(found, new Violation(at, "unicode", field(at) + " holds an unpaired UTF-16 surrogate"));
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                String child = at + "/" + escape(property.getKey());
                if (hasUnpairedSurrogate(property.getKey())) {
                    add(
                            found,
                            new Violation(
                                    at, "unicode", field(at) + " has a property name with an unpaired surrogate"));
                }
                unpairedSurrogates(property.getValue(), child, found);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                unpairedSurrogates(node.get(i), at + "/" + i, found);
            }
        }
    }

    /** Whether {@code text} holds a UTF-16 surrogate that is not half of a pair (no character, not UTF-8). */
    public static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static void add(Map<String, Violation> found, Violation violation) {
        found.putIfAbsent(violation.pointer() + '\u0000' + violation.rule(), violation);
    }

    private static Schema loadSchema() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                        .pathType(PathType.JSON_POINTER)
                        // format is an annotation in 2020-12; timestamp_utc is checked below with the codec's parser
                        .formatAssertionsEnabled(false)
                        .build()));
        try (InputStream in = EventValidator.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("schema " + SCHEMA_RESOURCE + " missing from the classpath");
            }
            Schema schema = registry.getSchema(in);
            schema.initializeValidators();
            return schema;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SCHEMA_RESOURCE, e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // schema violations

    private static Violation fromSchema(com.networknt.schema.Error error) {
        String keyword = error.getKeyword() == null ? "schema" : error.getKeyword();
        String pointer = pointer(error.getInstanceLocation());
        if (error.getProperty() != null && ("required".equals(keyword) || "additionalProperties".equals(keyword))) {
            pointer = pointer + "/" + escape(error.getProperty());
        }
        String field = field(pointer);
        Object[] args = error.getArguments() == null ? new Object[0] : error.getArguments();
        String message = switch (keyword) {
            case "required" -> field + " is required";
            case "additionalProperties" -> field + " is not part of the contract (additionalProperties: false)";
            case "type" ->
                args.length >= 2
                        ? field + " must be of type " + args[1] + ", not " + args[0]
                        : field + " has the wrong type";
            case "enum" -> field + " must be one of " + error.getSchemaNode() + ", not " + shown(error);
            case "const" -> field + " must be " + error.getSchemaNode() + ", not " + shown(error);
            case "pattern" ->
                field + " must match the pattern " + error.getSchemaNode().asString();
            case "minLength" -> field + " must be at least " + error.getSchemaNode() + " characters long";
            case "maxLength" -> field + " must be at most " + error.getSchemaNode() + " characters long";
            case "minItems" -> field + " must have at least " + error.getSchemaNode() + " items";
            case "maxItems" -> field + " must have at most " + error.getSchemaNode() + " items";
            case "minimum" -> field + " must be at least " + error.getSchemaNode();
            case "maximum" -> field + " must be at most " + error.getSchemaNode();
            default -> field + " breaks " + keyword + ": " + error.getMessage();
        };
        return new Violation(pointer, keyword, message);
    }

    private static String shown(com.networknt.schema.Error error) {
        JsonNode instance = error.getInstanceNode();
        return instance == null ? "nothing" : abbreviate(instance.toString());
    }

    private static String pointer(NodePath path) {
        if (path == null) {
            return "";
        }
        StringBuilder pointer = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            pointer.append('/').append(escape(String.valueOf(path.getElement(i))));
        }
        return pointer.toString();
    }

    /** RFC 6901: {@code ~} becomes {@code ~0}, {@code /} becomes {@code ~1}. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }

    /** The field a pointer names, as a person reads it: {@code payload.changes[2].new_value}. */
    static String field(String pointer) {
        if (pointer.isEmpty()) {
            return "the event";
        }
        StringBuilder field = new StringBuilder();
        for (String token : pointer.substring(1).split("/", -1)) {
            if (!token.isEmpty() && token.chars().allMatch(Character::isDigit) && field.length() > 0) {
                field.append('[').append(token).append(']');
            } else {
                if (field.length() > 0) {
                    field.append('.');
                }
                field.append(unescape(token));
            }
        }
        return field.toString();
    }

    private static int comparePointers(String a, String b) {
        String[] left = a.isEmpty() ? new String[0] : a.substring(1).split("/", -1);
        String[] right = b.isEmpty() ? new String[0] : b.substring(1).split("/", -1);
        for (int i = 0; i < Math.min(left.length, right.length); i++) {
            int order = compareTokens(left[i], right[i]);
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(left.length, right.length);
    }

    private static int compareTokens(String a, String b) {
        boolean numericA = !a.isEmpty() && a.length() < 10 && a.chars().allMatch(Character::isDigit);
        boolean numericB = !b.isEmpty() && b.length() < 10 && b.chars().allMatch(Character::isDigit);
        if (numericA && numericB) {
            return Integer.compare(Integer.parseInt(a), Integer.parseInt(b));
        }
        return a.compareTo(b);
    }

    // ---------------------------------------------------------------------------------------------------------
    // rules the schema cannot express

    private static List<Violation> semanticRules(JsonNode event) {
        List<Violation> violations = new ArrayList<>();
        int bytes = EventJson.mapper().writeValueAsBytes(event).length;
        int maxBytes = holdsCiphertext(event) ? EncryptedValues.MAX_EVENT_BYTES : MAX_EVENT_BYTES;
        if (bytes > maxBytes) {
            violations.add(new Violation(
                    "",
                    "event-size",
                    "the event takes " + bytes + " bytes of JSON; an event may take at most " + maxBytes
                            + (maxBytes == MAX_EVENT_BYTES ? "" : " with its values encrypted")));
        }
        JsonNode timestamp = event.get("timestamp_utc");
        if (timestamp != null && timestamp.isString()) {
            checkTimestamp(timestamp.stringValue(), violations);
        }
        JsonNode version = event.get("schema_version");
        if (version != null && version.isNumber() && version.canConvertToExactIntegral()) {
            BigDecimal number = version.decimalValue();
            if (number.compareTo(BigDecimal.valueOf(EventEnvelope.SCHEMA_VERSION)) > 0) {
                violations.add(new Violation(
                        "/schema_version",
                        "schema-version",
                        "schema_version " + number.toPlainString() + " is not supported; this reader understands up to "
                                + EventEnvelope.SCHEMA_VERSION));
            }
        }
        JsonNode type = event.get("event_type");
        JsonNode payload = event.get("payload");
        if (type == null || !type.isString() || payload == null || !payload.isObject()) {
            return violations;
        }
        EventType eventType = EventType.fromWireName(type.stringValue()).orElse(null);
        if (eventType == null) {
            return violations; // the schema reports the unknown type; the payload shape is unknown
        }
        switch (eventType) {
            case CUSTOMER_PROFILE_ATTRIBUTE_CHANGE -> {
                checkKey(payload, "/payload", violations);
                checkValue(payload, "/payload", "previous_value", violations);
                checkValue(payload, "/payload", "new_value", violations);
            }
            case BULK_PROFILE_UPDATE -> {
                JsonNode changes = payload.get("changes");
                if (changes != null && changes.isArray()) {
                    for (int i = 0; i < changes.size(); i++) {
                        JsonNode change = changes.get(i);
                        if (change.isObject()) {
                            String at = "/payload/changes/" + i;
                            checkKey(change, at, violations);
                            checkValue(change, at, "previous_value", violations);
                            checkValue(change, at, "new_value", violations);
                        }
                    }
                }
            }
            case CUSTOMER_PROFILE_MERGE, CUSTOMER_PROFILE_UNMERGE -> {
                checkMergeLink(event, payload, violations);
                checkRationale(event, payload, violations);
            }
            case CUSTOMER_PROFILE_ERASED -> {
                // nothing beyond the schema
            }
        }
        return violations;
    }

    private static void checkTimestamp(String text, List<Violation> violations) {
        java.util.Optional<java.time.Instant> parsed = Timestamps.parse(text);
        if (parsed.isPresent()) {
            if (!Timestamps.inRange(parsed.get())) {
                violations.add(new Violation(
                        "/timestamp_utc",
                        "timestamp-range",
                        "timestamp_utc '" + abbreviate(text) + "' is outside the storable range "
                                + Timestamps.range()));
            }
            return;
        }
        if (isLocalDateTime(text)) {
            violations.add(new Violation(
                    "/timestamp_utc",
                    "timestamp-offset",
                    "timestamp_utc '" + abbreviate(text)
                            + "' has no offset; write it in UTC with Z (2023-10-27T14:30:00.123Z) or with an offset"));
        } else {
            violations.add(new Violation(
                    "/timestamp_utc",
                    "date-time",
                    "timestamp_utc '" + abbreviate(text)
                            + "' is not an ISO-8601 date-time such as 2023-10-27T14:30:00.123Z"));
        }
    }

    private static boolean isLocalDateTime(String text) {
        try {
            LocalDateTime.parse(text);
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }

    /** The schema pattern already says this; a second opinion from the codec's own grammar keeps them aligned. */
    private static void checkKey(JsonNode change, String at, List<Violation> violations) {
        JsonNode key = change.get("attribute_key");
        if (key != null && key.isString() && !AttributeKeys.isValid(key.stringValue())) {
            violations.add(new Violation(
                    at + "/attribute_key",
                    "pattern",
                    field(at + "/attribute_key") + " must match the pattern " + AttributeKeys.PATTERN));
        }
    }

    private static void checkValue(JsonNode change, String at, String name, List<Violation> violations) {
        JsonNode value = change.get(name);
        if (value == null || !(value.isString() || value.isNumber())) {
            return;
        }
        long bytes = jsonBytes(value);
        if (value.isString() && EncryptedValues.isCiphertext(value.stringValue())) {
            if (bytes > EncryptedValues.MAX_TEXT_LENGTH + 2) {
                violations.add(new Violation(
                        at + "/" + name,
                        "value-size",
                        field(at + "/" + name) + " takes " + bytes + " bytes; an encrypted value may take at most "
                                + (EncryptedValues.MAX_TEXT_LENGTH + 2) + " bytes of JSON"));
            }
            return;
        }
        if (bytes > AttributeValue.MAX_JSON_BYTES) {
            violations.add(new Violation(
                    at + "/" + name,
                    "value-size",
                    field(at + "/" + name) + " takes " + bytes + " bytes; a value may take at most "
                            + AttributeValue.MAX_JSON_BYTES + " bytes of JSON"));
        }
    }

    /** Whether a change's value in {@code event} is in the ciphertext form ({@link EncryptedValues}). */
    private static boolean holdsCiphertext(JsonNode event) {
        JsonNode payload = event.get("payload");
        if (payload == null) {
            return false;
        }
        if (isCiphertextNode(payload.get("new_value")) || isCiphertextNode(payload.get("previous_value"))) {
            return true;
        }
        JsonNode changes = payload.get("changes");
        if (changes != null && changes.isArray()) {
            for (JsonNode change : changes) {
                if (isCiphertextNode(change.get("new_value")) || isCiphertextNode(change.get("previous_value"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isCiphertextNode(JsonNode value) {
        return value != null && value.isString() && EncryptedValues.isCiphertext(value.stringValue());
    }

    /**
     * The UTF-8 size of the value's JSON text. A number counts at its plain decimal length as well, since that is
     * how the flat contract shows it ({@code 1e999999} is short JSON but a million digits).
     */
    private static long jsonBytes(JsonNode value) {
        if (value.isNumber()) {
            BigDecimal number = value.decimalValue();
            long plain = plainLength(number);
            return Math.max(plain, value.toString().length());
        }
        return EventJson.mapper().writeValueAsString(value).getBytes(StandardCharsets.UTF_8).length;
    }

    /** The length of {@link BigDecimal#toPlainString()}, computed without building it. */
    static long plainLength(BigDecimal number) {
        long sign = number.signum() < 0 ? 1 : 0;
        long precision = number.precision();
        long scale = number.scale();
        if (scale <= 0) {
            return sign + precision - scale;
        }
        // digits after the point = scale; before it at least one digit
        return sign + Math.max(precision - scale, 1) + 1 + scale;
    }

    private static void checkMergeLink(JsonNode event, JsonNode payload, List<Violation> violations) {
        JsonNode customer = event.get("customer_id");
        JsonNode into = payload.get("merged_into");
        JsonNode from = payload.get("merged_from");
        if (from != null && from.isString() && customer != null && customer.isString()) {
            if (!from.stringValue().equals(customer.stringValue())) {
                violations.add(new Violation(
                        "/payload/merged_from",
                        "merged-from",
                        "payload.merged_from '" + abbreviate(from.stringValue())
                                + "' must equal customer_id '" + abbreviate(customer.stringValue())
                                + "': a merge travels in the stream of the identity merged away"));
            }
        }
        if (into != null && into.isString() && from != null && from.isString()) {
            if (into.stringValue().equals(from.stringValue())) {
                violations.add(
                        new Violation(
                                "/payload/merged_into",
                                "self-merge",
                                "payload.merged_into must differ from payload.merged_from; an identity cannot merge into itself"));
            }
        }
    }

    /** The fields version 2 added to a merge or unmerge payload. */
    private static final List<String> RATIONALE = List.of("reason", "decided_by", "evidence");

    private static void checkRationale(JsonNode event, JsonNode payload, List<Violation> violations) {
        JsonNode version = event.get("schema_version");
        boolean first =
                version == null || version.isNumber() && version.decimalValue().compareTo(BigDecimal.valueOf(2)) < 0;
        for (String field : RATIONALE) {
            if (first && payload.has(field)) {
                violations.add(new Violation(
                        "/payload/" + field,
                        "schema-version",
                        "payload." + field + " came with schema_version 2; this event says "
                                + (version == null ? "nothing (version 1)" : version.asString())));
            }
        }
        JsonNode evidence = payload.get("evidence");
        if (evidence != null && evidence.isObject()) {
            int bytes = EventJson.mapper().writeValueAsBytes(evidence).length;
            if (bytes > MAX_EVIDENCE_BYTES) {
                violations.add(new Violation(
                        "/payload/evidence",
                        "evidence-size",
                        "payload.evidence takes " + bytes + " bytes as compact JSON; at most " + MAX_EVIDENCE_BYTES));
            }
        }
    }

    private static String describe(JsonNode node) {
        return node.isMissingNode()
                ? "an empty document"
                : "a JSON " + node.getNodeType().name().toLowerCase();
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
