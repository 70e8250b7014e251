package dev.asof.e2e.hostile;

import static dev.asof.e2e.hostile.HostileRequests.concat;

import dev.asof.e2e.hostile.HostileRequests.Case;
import dev.asof.e2e.hostile.HostileRequests.Service;
import dev.asof.testing.TestApiKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests that broke asof once (the outside probe of issue #9) and failing seeds of the generator: each stays
 * in the suite for good.
 */
final class RegressionCases {

    private static final String BEARER = "Bearer " + TestApiKeys.ALL_SCOPES;

    private RegressionCases() {}

    static List<Case> all(String customer) {
        List<Case> cases = new ArrayList<>();
        // An event before 1970 was answered 202 and then blocked its partition for good.
        for (String time : List.of("1969-12-31T23:59:59Z", "0001-01-01T00:00:00Z")) {
            cases.add(post("/api/v1/events", envelope(customer, time).getBytes(StandardCharsets.UTF_8)));
            cases.add(post("/api/v1/ingest/genesys", envelope(customer, time).getBytes(StandardCharsets.UTF_8)));
            cases.add(post(
                    "/api/v1/ingest/cxone",
                    ("{\"customerId\":\"" + customer + "\",\"attribute\":\"tier\","
                                    + "\"newValue\":\"gold\",\"timestamp\":\"" + time + "\"}")
                            .getBytes(StandardCharsets.UTF_8)));
        }
        // Two ids that differ only in an invalid UTF-8 byte became one customer.
        for (byte bad : new byte[] {(byte) 0xff, (byte) 0xfe}) {
            byte[] body = envelope("iso_badQ", "2026-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < body.length; i++) {
                if (body[i] == 'Q') {
                    body[i] = bad;
                }
            }
            cases.add(post("/api/v1/events", body));
        }
        // Ids with a slash, a newline or NUL were stored but readable only through the short form.
        for (String id : List.of("a/b", "a\\nb", "a\\u0000b")) {
            cases.add(
                    post("/api/v1/events", envelope(id, "2026-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8)));
        }
        // A number whose exponent no BigDecimal holds was a 500 on every service, its text in an ERROR log.
        String huge = "1e-2147483648";
        cases.add(post(
                "/api/v1/ingest/cxone",
                ("{\"customerId\":\"" + customer + "\",\"attribute\":\"tier\",\"newValue\":" + huge
                                + ",\"timestamp\":\"2026-01-01T00:00:00Z\"}")
                        .getBytes(StandardCharsets.UTF_8)));
        for (String[] merge : new String[][] {
            {
                "/api/v1/merges",
                "{\"merged_into\":\"" + customer + "\",\"merged_from\":\"" + customer + "_b\",\"reason\":" + huge + "}"
            },
            {"/api/v1/customers/" + customer + "/erasure", "{\"reason\":" + huge + ",\"requested_by\":\"dpo\"}"},
            {"/api/v1/match", "{\"attributes\":{\"phone\":" + huge + "},\"limit\":1e2147483648}"}
        }) {
            cases.add(Case.refused(
                    Service.MERGE,
                    "regression",
                    RawHttp.request("POST", merge[0], headers(), merge[1].getBytes(StandardCharsets.UTF_8))));
        }
        // An empty body was refused without naming the rule it breaks.
        for (String path : List.of("/api/v1/events", "/api/v1/ingest/genesys", "/api/v1/ingest/cxone")) {
            cases.add(post(path, new byte[0]));
        }
        // 170,000 unknown properties made a 21.9 MB answer; two at once ended in OutOfMemoryError.
        cases.add(Case.refused(Service.INGESTION, "regression", manyUnknownProperties(customer, 170_000)));
        // A plain body labelled gzip was accepted.
        Map<String, String> gzip = headers();
        gzip.put("Content-Encoding", "gzip");
        cases.add(Case.refused(
                Service.INGESTION,
                "regression",
                RawHttp.request(
                        "POST",
                        "/api/v1/events",
                        gzip,
                        envelope(customer, "2026-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8))));
        // Tomcat's HTML pages and Spring's default JSON.
        for (Service service : Service.values()) {
            for (String path : List.of(
                    "/api/v1/customers/a%2Fb/profile",
                    "/api/v1/customers/a%00b/profile", "/api/v1/customers/../../profile", "/error")) {
                cases.add(
                        Case.refused(service, "regression", RawHttp.request("GET", path, new LinkedHashMap<>(), null)));
            }
            Map<String, String> big = headers();
            big.put("X-Big", "b".repeat(65_000));
            cases.add(Case.refused(service, "regression", RawHttp.request("GET", "/actuator/health", big, null)));
            cases.add(
                    Case.refused(service, "regression", RawHttp.request("TRACE", "/actuator/health", headers(), null)));
        }
        // A body shorter than its Content-Length held a thread for a minute and answered 408 in HTML.
        byte[] shortBody = RawHttp.request("POST", "/api/v1/events", headers(), null);
        String head = new String(shortBody, StandardCharsets.ISO_8859_1)
                .replace("\r\n\r\n", "\r\nContent-Length: 500\r\n\r\n");
        cases.add(new Case(
                Service.INGESTION,
                "regression-slow",
                concat(head.getBytes(StandardCharsets.ISO_8859_1), "{\"event_id\":".getBytes(StandardCharsets.UTF_8)),
                HostileRequests.Expect.REFUSED,
                null,
                null,
                true));
        // A repeated customer_id was joined with a comma; a negative epoch was refused while ISO was not.
        Map<String, String> reader = new LinkedHashMap<>();
        reader.put("Authorization", "Bearer " + TestApiKeys.PROFILE_READ_ONLY);
        cases.add(Case.refused(
                Service.RECONSTRUCTION,
                "regression",
                RawHttp.request(
                        "GET",
                        "/profile/at/2026-01-01T00:00:00Z?customer_id=" + customer + "&customer_id=other",
                        reader,
                        null)));
        cases.add(Case.refused(
                Service.RECONSTRUCTION,
                "regression",
                RawHttp.request("GET", "/api/v1/customers/" + customer + "/profile/at/-1000", reader, null)));
        cases.add(Case.refused(
                Service.RECONSTRUCTION,
                "regression",
                RawHttp.request(
                        "GET", "/api/v1/customers/" + customer + "/profile/at/1969-12-31T23:59:59Z", reader, null)));
        return cases;
    }

    static byte[] manyUnknownProperties(String customer, int count) {
        StringBuilder body = new StringBuilder(envelope(customer, "2026-01-01T00:00:00Z"));
        body.setLength(body.length() - 1);
        for (int i = 0; i < count; i++) {
            body.append(",\"p").append(i).append("\":0");
        }
        body.append('}');
        return RawHttp.request(
                "POST", "/api/v1/events", headers(), body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Case post(String path, byte[] body) {
        return Case.refused(Service.INGESTION, "regression", RawHttp.request("POST", path, headers(), body));
    }

    private static Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", BEARER);
        headers.put("Content-Type", "application/json");
        return headers;
    }

    /** One valid attribute change for {@code customer}, as JSON. */
    static String event(String customer) {
        return envelope(customer, "2026-01-01T00:00:00Z");
    }

    private static String envelope(String customer, String time) {
        return "{\"event_id\":\"" + java.util.UUID.randomUUID()
                + "\",\"event_type\":\"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE\","
                + "\"timestamp_utc\":\"" + time + "\",\"customer_id\":\"" + customer + "\","
                + "\"payload\":{\"attribute_key\":\"tier\",\"new_value\":\"gold\"}}";
    }

    /** A request as a person reads it in a failure message: printable ASCII, the rest escaped, cut at 300. */
    static String show(byte[] request) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < request.length && shown.length() < 300; i++) {
            int b = request[i] & 0xff;
            if (b == '\r') {
                shown.append("\\r");
            } else if (b == '\n') {
                shown.append("\\n");
            } else if (b >= 0x20 && b < 0x7f) {
                shown.append((char) b);
            } else {
                shown.append(String.format("\\x%02x", b));
            }
        }
        return request.length > 300 ? shown + "... (" + request.length + " bytes)" : shown.toString();
    }
}
