package dev.asof.e2e.hostile;

import dev.asof.testing.TestApiKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;

/**
 * A seeded generator of malformed and hostile requests for every endpoint of every service, plus a few valid
 * control events mixed in. The same seed gives the same requests in the same order.
 */
final class HostileRequests {

    enum Service {
        INGESTION,
        RECONSTRUCTION,
        MERGE
    }

    /** What a case must get: a 4xx problem, or (a control event) 202 accepted and then the event in the log. */
    enum Expect {
        REFUSED,
        ACCEPTED,
        /** A batch whose every element breaks the contract: 202 with a result per element, none accepted. */
        NOTHING_ACCEPTED
    }

    /**
     * One request.
     *
     * @param customerId the customer a control event is for ({@code null} for refused cases)
     * @param eventId the control event's id ({@code null} for refused cases)
     * @param slow the server is expected to wait for a body that never comes (connection time-out)
     */
    record Case(
            Service service,
            String kind,
            byte[] request,
            Expect expect,
            String customerId,
            String eventId,
            boolean slow) {

        static Case refused(Service service, String kind, byte[] request) {
            return new Case(service, kind, request, Expect.REFUSED, null, null, false);
        }
    }

    private static final String BEARER = "Bearer " + TestApiKeys.ALL_SCOPES;

    private static final List<String> OUT_OF_RANGE_TIMES = List.of(
            "1969-12-31T23:59:59Z",
            "1969-12-31T23:59:59.999Z",
            "0001-01-01T00:00:00Z",
            "1900-06-01T00:00:00+02:00",
            "1970-01-01T00:30:00+01:00",
            "+10000-01-01T00:00:00Z",
            "-000001-01-01T00:00:00Z",
            "+999999999-12-31T23:59:59Z");

    private static final List<String> BAD_IDS = List.of(
            "cust/1",
            "cust\\n1",
            "cust\\u00001",
            "cust 1",
            "caf\\u00e9",
            "",
            "x".repeat(129),
            "..",
            "../etc/passwd",
            "%2F",
            "a\\tb",
            "\\ud800",
            "_leading",
            "a#b",
            "a?b",
            "\\u202eevil");

    private static final List<byte[]> BAD_UTF8 = List.of(
            new byte[] {(byte) 0xff},
            new byte[] {(byte) 0xfe},
            new byte[] {(byte) 0xc3, 0x28},
            new byte[] {(byte) 0xc0, (byte) 0xaf},
            new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            new byte[] {(byte) 0xe2, (byte) 0x82},
            new byte[] {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80});

    private final Random random;
    private final long seed;
    private final List<String> hostileCustomers;
    private int controls;

    HostileRequests(long seed, List<String> hostileCustomers) {
        this.seed = seed;
        this.random = new Random(seed);
        this.hostileCustomers = hostileCustomers;
    }

    /** {@code count} cases; about one in twenty is a valid control event. */
    List<Case> generate(int count) {
        List<Function<Random, Case>> kinds = kinds();
        List<Case> cases = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            cases.add(
                    random.nextInt(20) == 0
                            ? control()
                            : kinds.get(random.nextInt(kinds.size())).apply(random));
        }
        return cases;
    }

    // ---------------------------------------------------------------------------------------------------------
    // bodies

    private String hostileCustomer() {
        return hostileCustomers.get(random.nextInt(hostileCustomers.size()));
    }

    private String time() {
        return String.format(
                "2026-%02d-%02dT%02d:%02d:%02d.%03dZ",
                1 + random.nextInt(11),
                1 + random.nextInt(28),
                random.nextInt(24),
                random.nextInt(60),
                random.nextInt(60),
                random.nextInt(1000));
    }

    private static String envelope(String customer, String eventId, String timestamp, String key, String valueJson) {
        return "{\"event_id\":\"" + eventId + "\",\"event_type\":\"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE\","
                + "\"timestamp_utc\":\"" + timestamp + "\",\"customer_id\":\"" + customer + "\","
                + "\"source_system\":\"hostile_suite\",\"metadata\":{\"channel\":\"voice\"},"
                + "\"payload\":{\"attribute_key\":\"" + key + "\",\"new_value\":" + valueJson + "}}";
    }

    private static String cxone(String customer, String timestamp, String valueJson) {
        return "{\"customerId\":\"" + customer + "\",\"attribute\":\"tier\",\"newValue\":" + valueJson
                + ",\"timestamp\":\"" + timestamp + "\",\"contactId\":\"c1\",\"agentId\":\"a1\",\"channel\":\"chat\"}";
    }

    private static String genesys(String customer, String timestamp, String valueJson) {
        return "{\"id\":\"" + UUID.randomUUID()
                + "\",\"detail-type\":\"customer_profile_updated\",\"source\":\"genesys\","
                + "\"time\":\"" + timestamp + "\",\"detail\":{\"customerId\":\"" + customer
                + "\",\"attribute\":\"tier\",\"newValue\":" + valueJson + ",\"timestamp\":\"" + timestamp + "\"}}";
    }

    /** A valid body for one of the three intake endpoints, for {@code customer} at {@code timestamp}. */
    private String validBody(String path, String customer, String timestamp) {
        String value = "\"v" + random.nextInt(1000) + "\"";
        return switch (path) {
            case "/api/v1/ingest/cxone" -> cxone(customer, timestamp, value);
            case "/api/v1/ingest/genesys" ->
                random.nextBoolean()
                        ? genesys(customer, timestamp, value)
                        : envelope(customer, UUID.randomUUID().toString(), timestamp, "tier", value);
            default -> envelope(customer, UUID.randomUUID().toString(), timestamp, "tier", value);
        };
    }

    private String intakePath() {
        return List.of("/api/v1/events", "/api/v1/ingest/genesys", "/api/v1/ingest/cxone")
                .get(random.nextInt(3));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> json() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", BEARER);
        headers.put("Content-Type", "application/json");
        return headers;
    }

    private Case post(String kind, String path, byte[] body) {
        return Case.refused(Service.INGESTION, kind, RawHttp.request("POST", path, json(), body));
    }

    private Case control() {
        controls++;
        String customer = "ctl_" + Long.toHexString(seed) + "_" + controls;
        String eventId = UUID.nameUUIDFromBytes(utf8(customer)).toString();
        String body = envelope(customer, eventId, time(), "tier", "\"gold\"");
        return new Case(
                Service.INGESTION,
                "control",
                RawHttp.request("POST", "/api/v1/events", json(), utf8(body)),
                Expect.ACCEPTED,
                customer,
                eventId,
                false);
    }

    // ---------------------------------------------------------------------------------------------------------
    // the kinds of hostile request

    private List<Function<Random, Case>> kinds() {
        List<Function<Random, Case>> kinds = new ArrayList<>();
        // intake: what the log could not store, or ids that would collide
        kinds.add(r -> {
            String path = intakePath();
            String time = OUT_OF_RANGE_TIMES.get(r.nextInt(OUT_OF_RANGE_TIMES.size()));
            return post("timestamp-out-of-range", path, utf8(validBody(path, hostileCustomer(), time)));
        });
        kinds.add(r -> {
            String path = intakePath();
            String id = BAD_IDS.get(r.nextInt(BAD_IDS.size()));
            return post("bad-customer-id", path, utf8(validBody(path, id, time())));
        });
        kinds.add(r -> {
            String path = intakePath();
            String marker = "QQQBADQQQ";
            String body = r.nextBoolean()
                    ? validBody(path, hostileCustomer() + marker, time())
                    : validBody(path, hostileCustomer(), time()).replace("\"v", "\"" + marker + "v");
            byte[] bad = BAD_UTF8.get(r.nextInt(BAD_UTF8.size()));
            return post("invalid-utf8", path, splice(body, marker, bad));
        });
        kinds.add(r -> post(
                "unpaired-surrogate",
                "/api/v1/events",
                utf8(envelope(hostileCustomer(), UUID.randomUUID().toString(), time(), "tier", "\"a\\udc00b\""))));
        kinds.add(r -> {
            int extra = r.nextInt(10) == 0 ? 5000 + r.nextInt(20_000) : 1 + r.nextInt(5);
            StringBuilder body = new StringBuilder(
                    envelope(hostileCustomer(), UUID.randomUUID().toString(), time(), "tier", "1"));
            body.setLength(body.length() - 1);
            for (int i = 0; i < extra; i++) {
                body.append(",\"unknown_").append(i).append("\":").append(i);
            }
            return post(
                    "unknown-properties", intakePath(), utf8(body.append('}').toString()));
        });
        kinds.add(r -> {
            int depth = 100 + r.nextInt(5000);
            String value = "[".repeat(depth) + "]".repeat(depth);
            return post(
                    "deep-nesting",
                    intakePath(),
                    utf8(validBody("/api/v1/events", hostileCustomer(), time()).replace("\"v", value + ",\"v")));
        });
        kinds.add(r -> {
            String path = intakePath();
            String body = validBody(path, hostileCustomer(), time());
            return post("truncated-json", path, utf8(body.substring(0, r.nextInt(body.length() - 1))));
        });
        kinds.add(r -> {
            String[] wrong = {"42", "[\"a\"]", "{\"a\":1}", "null", "true", "1e999999"};
            String body = envelope(hostileCustomer(), UUID.randomUUID().toString(), time(), "tier", "1")
                    .replace("\"customer_id\":\"", "\"customer_id\":" + wrong[r.nextInt(wrong.length)] + ",\"x_\":\"");
            return post("wrong-type", "/api/v1/events", utf8(body));
        });
        kinds.add(r -> {
            String customer = hostileCustomer();
            String body = envelope(customer, UUID.randomUUID().toString(), time(), "tier", "1")
                    .replace("\"customer_id\":", "\"customer_id\":\"" + customer + "x\",\"customer_id\":");
            return post("duplicate-key", "/api/v1/events", utf8(body));
        });
        kinds.add(r -> {
            String[] values = {
                "1e999999",
                "-1e-999999",
                "\"" + "x".repeat(5000) + "\"",
                "{\"a\":1}",
                "[1,2]",
                // exponents no BigDecimal holds: answered 500, the number quoted in an ERROR log
                "1e-2147483648",
                "1e2147483648",
                "0e-2147483648"
            };
            return post(
                    "bad-value",
                    "/api/v1/events",
                    utf8(envelope(
                            hostileCustomer(),
                            UUID.randomUUID().toString(),
                            time(),
                            "tier",
                            values[r.nextInt(values.length)])));
        });
        kinds.add(r -> {
            String[] keys = {"Tier", "1tier", "tier name", "t".repeat(200), "tier/x", ""};
            return post(
                    "bad-attribute-key",
                    "/api/v1/events",
                    utf8(envelope(
                            hostileCustomer(),
                            UUID.randomUUID().toString(),
                            time(),
                            keys[r.nextInt(keys.length)],
                            "1")));
        });
        kinds.add(r -> {
            String[] bodies = {"", "null", "[]", "{}", "\"text\"", "42", "{\"a\":", "\u0000", "\ufeff{}"};
            return post("degenerate-body", intakePath(), utf8(bodies[r.nextInt(bodies.length)]));
        });
        kinds.add(r -> {
            String[] elements = {"1", "null", "\"x\"", "[]", "{}", "{\"customer_id\":\"a/b\"}"};
            StringBuilder batch = new StringBuilder("[");
            for (int i = 0, n = 1 + r.nextInt(20); i < n; i++) {
                batch.append(i == 0 ? "" : ",").append(elements[r.nextInt(elements.length)]);
            }
            return new Case(
                    Service.INGESTION,
                    "batch-of-garbage",
                    RawHttp.request(
                            "POST", intakePath(), json(), utf8(batch.append(']').toString())),
                    Expect.NOTHING_ACCEPTED,
                    null,
                    null,
                    false);
        });
        kinds.add(r -> {
            StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < 501; i++) {
                batch.append(i == 0 ? "" : ",")
                        .append(envelope(hostileCustomer(), UUID.randomUUID().toString(), time(), "tier", "1"));
            }
            return post(
                    "batch-too-large", "/api/v1/events", utf8(batch.append(']').toString()));
        });
        kinds.add(r -> {
            String[] types = {
                "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data", "json"
            };
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", BEARER);
            if (r.nextInt(6) > 0) {
                headers.put("Content-Type", types[r.nextInt(types.length)]);
            }
            String path = intakePath();
            return Case.refused(
                    Service.INGESTION,
                    "wrong-content-type",
                    RawHttp.request("POST", path, headers, utf8(validBody(path, hostileCustomer(), time()))));
        });
        kinds.add(r -> {
            String path = intakePath();
            String[] encodings = {"gzip", "deflate", "br", "identity, gzip", "x-gzip", "compress"};
            Map<String, String> headers = json();
            headers.put("Content-Encoding", encodings[r.nextInt(encodings.length)]);
            byte[] body = utf8(validBody(path, hostileCustomer(), time()));
            return Case.refused(
                    Service.INGESTION,
                    "content-encoding",
                    RawHttp.request("POST", path, headers, r.nextBoolean() ? gzip(body) : body));
        });
        kinds.add(r -> {
            String path = intakePath();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            String[] auth = {
                null,
                "Bearer wrong-key",
                "Bearer " + TestApiKeys.PROFILE_READ_ONLY,
                "Basic dXNlcjpwYXNz",
                "Bearer ",
                "bearer",
                "Bearer " + "k".repeat(3000),
                "Bearer a.b.c"
            };
            String chosen = auth[r.nextInt(auth.length)];
            if (chosen != null) {
                headers.put("Authorization", chosen);
            }
            return Case.refused(
                    Service.INGESTION,
                    "bad-credentials",
                    RawHttp.request("POST", path, headers, utf8(validBody(path, hostileCustomer(), time()))));
        });
        kinds.add(r -> {
            String path = intakePath();
            String request = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Authorization: " + BEARER + "\r\nContent-Type: application/json\r\n"
                    + (r.nextBoolean()
                            ? "Idempotency-Key: a\r\nIdempotency-Key: b\r\n"
                            : "Authorization: " + BEARER + "\r\n");
            byte[] body = utf8(validBody(path, hostileCustomer(), time()));
            return Case.refused(
                    Service.INGESTION,
                    "repeated-header",
                    concat(utf8(request + "Content-Length: " + body.length + "\r\n\r\n"), body));
        });
        kinds.add(r -> {
            Map<String, String> headers = json();
            headers.put("Idempotency-Key", r.nextBoolean() ? "k".repeat(300) : " ");
            String path = intakePath();
            return Case.refused(
                    Service.INGESTION,
                    "bad-idempotency-key",
                    RawHttp.request("POST", path, headers, utf8(validBody(path, hostileCustomer(), time()))));
        });
        kinds.add(r -> {
            String[] methods = {"GET", "PUT", "DELETE", "PATCH", "TRACE"};
            String path = intakePath();
            return Case.refused(
                    Service.INGESTION,
                    "wrong-method",
                    RawHttp.request(
                            methods[r.nextInt(methods.length)],
                            path,
                            json(),
                            utf8(validBody(path, hostileCustomer(), time()))));
        });
        kinds.add(r -> {
            String[] paths = {
                "/api/v1/events%2F",
                "/api/v1/%2e%2e/events",
                "/api/v1/events%00",
                "/api/v1/events;x=1",
                "//api/v1/events",
                "/api/v1/events/..",
                "/api/v1/../../etc/passwd",
                "/api/v1/events%FF",
                "/api/v1/ev%ents",
                "/api/v1/events/" + "a".repeat(9000),
                "/api/v1/events?x=%FF",
                "/api/v1/events\\x",
                "*",
                "/api/v1/events#frag"
            };
            return post(
                    "hostile-path",
                    paths[r.nextInt(paths.length)],
                    utf8(validBody("/api/v1/events", hostileCustomer(), time())));
        });
        kinds.add(r -> {
            Map<String, String> headers = json();
            headers.put("X-Padding", "p".repeat(10_000 + r.nextInt(60_000)));
            return Case.refused(
                    Service.INGESTION,
                    "oversized-header",
                    RawHttp.request(
                            "POST",
                            "/api/v1/events",
                            headers,
                            utf8(validBody("/api/v1/events", hostileCustomer(), time()))));
        });
        kinds.add(r -> {
            byte[] body = utf8(validBody("/api/v1/events", hostileCustomer(), time()));
            String chunks = Integer.toHexString(body.length) + "\r\n" + new String(body, StandardCharsets.UTF_8)
                    + "\r\n" + (r.nextBoolean() ? "zz\r\n" : "FFFFFFFFFFFFFFFFF\r\n") + "\r\n";
            Map<String, String> headers = json();
            headers.put("Transfer-Encoding", "chunked");
            return Case.refused(
                    Service.INGESTION, "bad-chunks", RawHttp.request("POST", "/api/v1/events", headers, utf8(chunks)));
        });
        kinds.add(r -> {
            Map<String, String> headers = json();
            headers.put("Content-Length", r.nextBoolean() ? "-1" : "abc");
            return Case.refused(
                    Service.INGESTION,
                    "bad-content-length",
                    RawHttp.request(
                            "POST",
                            "/api/v1/events",
                            headers,
                            utf8(validBody("/api/v1/events", hostileCustomer(), time()))));
        });
        kinds.add(r -> {
            byte[] body = new byte[2 * 1024 * 1024 + 1 + r.nextInt(1024)];
            java.util.Arrays.fill(body, (byte) ' ');
            return post("body-too-large", "/api/v1/events", body);
        });
        kinds.add(r -> {
            String[] times = {"2026-01-01T00:00:00", "yesterday", "-1", "1700000000000", "2026-13-01T00:00:00Z", ""};
            return post(
                    "cxone-bad-timestamp",
                    "/api/v1/ingest/cxone",
                    utf8(cxone(hostileCustomer(), times[r.nextInt(times.length)], "\"gold\"")));
        });
        // reconstruction
        kinds.add(r -> read(r, "/api/v1/customers/" + pathId(r) + "/profile/at/2026-01-01T00:00:00Z"));
        kinds.add(r -> {
            String[] times = {
                "2026-01-01T00:00:00",
                "yesterday",
                "-62135596800001",
                "99999999999999999999",
                "+10000-01-01T00:00:00Z",
                "%FF",
                "2026-02-30T00:00:00Z",
                "1e10",
                "0x10",
                "%20",
                "253402300800000"
            };
            return read(r, "/api/v1/customers/" + hostileCustomer() + "/profile/at/" + times[r.nextInt(times.length)]);
        });
        kinds.add(r -> {
            String[] queries = {
                "known_at=2026-01-01T00:00:00Z&known_at=2026-01-02T00:00:00Z",
                "view=flat&view=flat",
                "view=xml",
                "known_at=soon",
                "known_at=%FF",
                "view=%00"
            };
            return read(
                    r,
                    "/api/v1/customers/" + hostileCustomer() + "/profile/at/2026-01-01T00:00:00Z?"
                            + queries[r.nextInt(queries.length)]);
        });
        kinds.add(r -> {
            String[] queries = {
                "customer_id=a&customer_id=b",
                "customer_id=",
                "customer_id=a%2Fb",
                "customer_id=%FF",
                "",
                "customer_id=" + "x".repeat(200)
            };
            return read(r, "/profile/at/2026-01-01T00:00:00Z?" + queries[r.nextInt(queries.length)]);
        });
        kinds.add(r -> {
            String[] queries = {
                "limit=-1",
                "limit=0",
                "limit=99999999999",
                "limit=abc",
                "cursor=garbage",
                "cursor=" + java.util.Base64.getUrlEncoder().encodeToString(utf8("{\"x\":1}")),
                "from=x",
                "to=yesterday",
                "attribute=BAD%20KEY",
                "limit=1&limit=2",
                "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z&from=x"
            };
            return read(r, "/api/v1/customers/" + hostileCustomer() + "/history?" + queries[r.nextInt(queries.length)]);
        });
        kinds.add(r -> {
            String[] queries = {
                "buckets=0",
                "buckets=2001",
                "buckets=-5",
                "buckets=0x10",
                "buckets=99999999999",
                "max_changes=0",
                "max_changes=100001",
                "max_changes=abc",
                "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
                "from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
                "from=x",
                "to=%FF",
                "known_at=soon",
                "buckets=1&buckets=2",
                "from=0001-01-01T00:00:00Z&to=+10000-01-01T00:00:00Z&buckets=2000"
            };
            return read(
                    r,
                    "/api/v1/customers/" + hostileCustomer() + "/history/marks?" + queries[r.nextInt(queries.length)]);
        });
        kinds.add(r -> {
            String[] paths = {
                "/api/v1/customers/" + hostileCustomer() + "/profile",
                "/api/v1/customers/" + pathId(r) + "/history",
                "/api/v1/customers/" + pathId(r) + "/history/marks",
                "/api/v1/integrations/genesys/data-action?x=1&x=2",
                "/api/v1/integrations/genesys/data-action?credentials="
                        + List.of("basic", "", "OAUTH", "%FF", "oauth&credentials=oauth")
                                .get(r.nextInt(5)),
                "/api/v1/customers/" + hostileCustomer() + "/profile?view=flat&view=x"
            };
            return read(r, paths[r.nextInt(paths.length)]);
        });
        kinds.add(r -> {
            String[] methods = {"POST", "PUT", "DELETE", "PATCH", "TRACE"};
            return Case.refused(
                    Service.RECONSTRUCTION,
                    "wrong-method",
                    RawHttp.request(
                            methods[r.nextInt(methods.length)],
                            "/api/v1/customers/" + hostileCustomer() + "/profile",
                            json(),
                            utf8("{}")));
        });
        kinds.add(r -> {
            Map<String, String> headers = new LinkedHashMap<>();
            if (r.nextBoolean()) {
                headers.put("Authorization", "Bearer " + TestApiKeys.EVENTS_WRITE_ONLY);
            }
            return Case.refused(
                    Service.RECONSTRUCTION,
                    "bad-credentials",
                    RawHttp.request("GET", "/api/v1/customers/" + hostileCustomer() + "/profile", headers, null));
        });
        // every service: container-level refusals and actuator
        kinds.add(r -> {
            Service service = Service.values()[r.nextInt(3)];
            String[] paths = {
                "/error",
                "/actuator/prometheus",
                "/actuator/env",
                "/api/v1/nothing",
                "/actuator/health%2F..",
                "/%2e%2e/%2e%2e/",
                "/actuator/health;jsessionid=1",
                "/\u0000"
            };
            Map<String, String> headers = new LinkedHashMap<>();
            String path = paths[r.nextInt(paths.length)];
            if (r.nextBoolean() && !path.startsWith("/actuator/prometheus") && !path.startsWith("/actuator/env")) {
                headers.put("Authorization", BEARER);
            }
            return Case.refused(
                    service, "container-path", RawHttp.request(r.nextBoolean() ? "GET" : "TRACE", path, headers, null));
        });
        kinds.add(r -> {
            Service service = Service.values()[r.nextInt(3)];
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", BEARER);
            headers.put("X-Padding", "p".repeat(10_000 + r.nextInt(60_000)));
            return Case.refused(
                    service, "oversized-header", RawHttp.request("GET", "/actuator/prometheus", headers, null));
        });
        // the request line and framing headers Tomcat refuses itself: a version it does not serve was a 505 and a
        // transfer coding other than chunked a 501 ("failed unexpectedly ... retry"), the rest a 400 naming nothing
        kinds.add(r -> {
            Service service = Service.values()[r.nextInt(3)];
            String[] versions = {"HTTP/9.9", "HTTP/3.0", "HTTP/2.0"};
            String request = new String(
                            RawHttp.request("GET", "/actuator/health", new LinkedHashMap<>(), null),
                            StandardCharsets.ISO_8859_1)
                    .replaceFirst(" HTTP/1\\.1\r\n", " " + versions[r.nextInt(versions.length)] + "\r\n");
            return Case.refused(service, "http-version", request.getBytes(StandardCharsets.ISO_8859_1));
        });
        kinds.add(r -> {
            Service service = Service.values()[r.nextInt(3)];
            Map<String, String> headers = json();
            String[] framing = {
                "Transfer-Encoding: gzip",
                "Transfer-Encoding: br, chunked, gzip",
                "Content-Length: -1",
                "Content-Length: 0x10",
                "Host: elsewhere"
            };
            String[] line = framing[r.nextInt(framing.length)].split(": ", 2);
            headers.put(line[0], line[1]);
            return Case.refused(service, "framing-header", RawHttp.request("POST", "/api/v1/events", headers, null));
        });
        kinds.add(r -> {
            Service service = Service.values()[r.nextInt(3)];
            String[] methods = {"POST", "PUT", "DELETE", "TRACE"};
            return Case.refused(
                    service,
                    "health-wrong-method",
                    RawHttp.request(
                            methods[r.nextInt(methods.length)], "/actuator/health", new LinkedHashMap<>(), utf8("{}")));
        });
        // merge-service: every body carries a defect (or names hostile customers, who have no events, so even a
        // well-formed one is a 404), so nothing can be written
        kinds.add(r -> {
            String path = r.nextBoolean() ? "/api/v1/merges" : "/api/v1/unmerges";
            String from = hostileCustomer();
            String into = hostileCustomer();
            String ids = "\"merged_into\":\"" + into + "\",\"merged_from\":\"" + from + "\"";
            String[] bodies = {
                "{" + ids + ",\"colour\":1}",
                "{\"merged_into\":\"" + BAD_IDS.get(r.nextInt(BAD_IDS.size())) + "\",\"merged_from\":\"" + from + "\"}",
                "{\"merged_into\":\"" + into + "\",\"merged_from\":\"" + BAD_IDS.get(r.nextInt(BAD_IDS.size())) + "\"}",
                "{" + ids + ",\"effective_at\":\"" + OUT_OF_RANGE_TIMES.get(r.nextInt(OUT_OF_RANGE_TIMES.size()))
                        + "\"}",
                "{" + ids + ",\"effective_at\":\"2999-01-01T00:00:00Z\"}",
                "{" + ids + ",\"effective_at\":\"2026-02-30 10:00\"}",
                "{\"merged_into\":\"" + from + "\",\"merged_from\":\"" + from + "\"}",
                "{\"merged_into\":1,\"merged_from\":[\"" + from + "\"]}",
                "{\"merged_into\":\"" + into + "\"}",
                "{" + ids + ",\"reason\":\"" + "r".repeat(257 + r.nextInt(10_000)) + "\"}",
                "{" + ids + ",\"decided_by\":{\"agent\":1}}",
                "{" + ids + ",\"evidence\":[1,2]}",
                "{" + ids + ",\"evidence\":{\"blob\":\"" + "e".repeat(5_000 + r.nextInt(50_000)) + "\"}}",
                "{" + ids + ",\"merged_into\":\"" + from + "\"",
                "[{" + ids + "}]",
                "",
                "null"
            };
            if (r.nextInt(8) == 0) {
                return mergeBadUtf8(r, "merge-bad-utf8", path, "{" + ids + ",\"reason\":\"<bad>\"}");
            }
            return Case.refused(
                    Service.MERGE,
                    "merge-body",
                    RawHttp.request("POST", path, json(), utf8(bodies[r.nextInt(bodies.length)])));
        });
        kinds.add(r -> {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            if (r.nextBoolean()) {
                headers.put(
                        "Authorization",
                        "Bearer " + (r.nextBoolean() ? TestApiKeys.PROFILE_READ_ONLY : TestApiKeys.EVENTS_WRITE_ONLY));
            }
            String body =
                    "{\"merged_into\":\"" + hostileCustomer() + "\",\"merged_from\":\"" + hostileCustomer() + "\"}";
            return Case.refused(
                    Service.MERGE,
                    "merge-bad-credentials",
                    RawHttp.request(
                            r.nextBoolean() ? "POST" : "PUT",
                            r.nextBoolean() ? "/api/v1/merges" : "/api/v1/unmerges",
                            headers,
                            utf8(body)));
        });
        kinds.add(r -> {
            String customer = hostileCustomer();
            String[] targets = {
                "/api/v1/customers/" + pathId(r) + "/identity",
                "/api/v1/customers/" + customer + "/identity?at=yesterday",
                "/api/v1/customers/" + customer + "/identity?known_at=99999999999999999999",
                "/api/v1/customers/" + customer + "/identity?at=-99999999999999999",
                "/api/v1/customers/" + customer + "/identity?at=2026-02-30T00:00:00Z",
                "/api/v1/customers/" + customer + "/identity?at=2026-01-01T00:00:00",
                "/api/v1/customers/" + customer + "/identity"
            };
            // a hostile customer has no events: the plain read is a 404, the others a 400 or a refused key
            return mergeRead(
                    "identity-read",
                    targets[r.nextInt(targets.length)],
                    r.nextInt(4) == 0 ? TestApiKeys.EVENTS_WRITE_ONLY : TestApiKeys.PROFILE_READ_ONLY);
        });
        // match suggestions: every body or parameter carries a defect, or asks about a hostile customer (a 404)
        kinds.add(r -> {
            String[] bodies = {
                "{\"attributes\":{\"shoe_size\":\"44\"}}",
                "{\"attributes\":[\"phone\"]}",
                "{\"attributes\":\"+34600111222\"}",
                "{\"attributes\":{\"phone\":{\"e164\":\"+34600111222\"}}}",
                "{\"attributes\":{\"phone\":[\"+34600111222\"]}}",
                "{\"attributes\":{\"email\":\"" + "m".repeat(257 + r.nextInt(100_000)) + "@x.es\"}}",
                "{\"attributes\":{\"phone\":\"+34600111222\"},\"limit\":"
                        + new String[] {"0", "-1", "51", "1e9", "1.5", "\"5\"", "true", "99999999999999999999"}
                                [r.nextInt(8)]
                        + "}",
                "{\"attributes\":{\"phone\":\"+34600111222\"},\"colour\":1}",
                "{\"attributes\":{\"phone\":\"1\",\"phone\":\"2\"}}",
                "{\"limit\":5}",
                "{\"attributes\":" + "[".repeat(2_000) + "]".repeat(2_000) + "}",
                "",
                "null",
                "[]"
            };
            String path = "/api/v1/match" + (r.nextInt(4) == 0 ? "?view=flat" : "");
            if (r.nextInt(8) == 0) {
                return mergeBadUtf8(r, "match-bad-utf8", path, "{\"attributes\":{\"name_last\":\"<bad>\"}}");
            }
            return Case.refused(
                    Service.MERGE,
                    "match-body",
                    RawHttp.request("POST", path, json(), utf8(bodies[r.nextInt(bodies.length)])));
        });
        kinds.add(r -> {
            String customer = hostileCustomer();
            String[] targets = {
                "/api/v1/customers/" + pathId(r) + "/match-candidates",
                "/api/v1/customers/" + customer + "/match-candidates?limit=0",
                "/api/v1/customers/" + customer + "/match-candidates?limit=1e3",
                "/api/v1/customers/" + customer + "/match-candidates?limit=99999999999999999999",
                "/api/v1/customers/" + customer + "/match-candidates?view=xml",
                "/api/v1/customers/" + customer + "/match-candidates",
                "/api/v1/integrations/genesys/match-action?credentials=basic"
            };
            return mergeRead(
                    "match-read",
                    targets[r.nextInt(targets.length)],
                    r.nextInt(4) == 0 ? TestApiKeys.EVENTS_WRITE_ONLY : TestApiKeys.PROFILE_READ_ONLY);
        });
        // erasure: a hostile customer has no events (a 404), every other body or parameter carries a defect, so
        // nothing is ever erased or stored
        kinds.add(r -> {
            String customer = r.nextInt(4) == 0 ? pathId(r) : hostileCustomer();
            String[] bodies = {
                "{\"reason\":\"r\",\"requested_by\":\"dpo\"}",
                "{\"requested_by\":\"dpo\"}",
                "{\"reason\":\"r\"}",
                "{\"reason\":\"\",\"requested_by\":\"dpo\"}",
                "{\"reason\":\"   \",\"requested_by\":\"dpo\"}",
                "{\"reason\":1,\"requested_by\":[\"dpo\"]}",
                "{\"reason\":\"" + "r".repeat(257 + r.nextInt(100_000)) + "\",\"requested_by\":\"dpo\"}",
                "{\"reason\":\"r\",\"requested_by\":\"dpo\",\"identities\":[\"*\"]}",
                "{\"reason\":\"r\",\"requested_by\":\"dpo\"",
                "[{\"reason\":\"r\",\"requested_by\":\"dpo\"}]",
                "",
                "null",
                // lone surrogates: no character, never stored
                "{\"reason\":\"a\\ud800\",\"requested_by\":\"dpo\"}",
                "{\"reason\":\"r\",\"requested_by\":\"\\udc00dpo\"}"
            };
            String path = "/api/v1/customers/" + customer + "/erasure";
            if (r.nextInt(8) == 0) {
                return mergeBadUtf8(r, "erasure-bad-utf8", path, "{\"reason\":\"<bad>\",\"requested_by\":\"dpo\"}");
            }
            if (r.nextInt(6) == 0) {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("Content-Type", "application/json");
                if (r.nextBoolean()) {
                    headers.put(
                            "Authorization",
                            "Bearer "
                                    + (r.nextBoolean()
                                            ? TestApiKeys.PROFILE_READ_ONLY
                                            : TestApiKeys.EVENTS_WRITE_ONLY));
                }
                return Case.refused(
                        Service.MERGE,
                        "erasure-bad-credentials",
                        RawHttp.request("POST", path, headers, utf8(bodies[0])));
            }
            return Case.refused(
                    Service.MERGE,
                    "erasure-body",
                    RawHttp.request("POST", path, json(), utf8(bodies[r.nextInt(bodies.length)])));
        });
        kinds.add(r -> {
            // re-encryption and rewrap passes: every query here is refused (bad store, limit, cursor or scope)
            String[] stores = {"event_log", "profile_view", "snapshots", "log_pages", "subject_keys"};
            String store = stores[r.nextInt(stores.length)];
            String[] queries = {
                "store="
                        + new String[] {"", "users", "SUBJECT_KEYS", "subject_keys%00", "x".repeat(1 + r.nextInt(2_000))
                                }
                                [r.nextInt(5)],
                "limit=5",
                "store=" + store + "&limit="
                        + new String[] {"0", "-1", "1001", "99999999999", "1e3", "%20", ""}[r.nextInt(7)],
                "store=" + store + "&cursor="
                        + new String[] {"bm90LWEtY3Vyc29y", "%00", "!!!", "x".repeat(2_049 + r.nextInt(1_500))}
                                [r.nextInt(4)]
            };
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            String query = queries[r.nextInt(queries.length)];
            if (r.nextInt(4) == 0) {
                query = "store=" + store + "&limit=5";
                if (r.nextBoolean()) {
                    headers.put("Authorization", "Bearer " + TestApiKeys.PROFILE_READ_ONLY);
                }
            } else {
                headers.put("Authorization", BEARER);
            }
            return Case.refused(
                    Service.MERGE,
                    "re-encryption",
                    RawHttp.request("POST", "/api/v1/privacy/re-encryption?" + query, headers, new byte[0]));
        });
        kinds.add(r -> {
            // the match-index backfill: every query here is refused (bad limit, cursor or scope)
            String[] queries = {
                "limit=" + new String[] {"0", "-1", "1001", "99999999999", "1e3", "%20", ""}[r.nextInt(7)],
                "cursor="
                        + new String[] {
                                    "bm90LWEtY3Vyc29y",
                                    "%00",
                                    "!!!",
                                    "djE6",
                                    "djE6YmFkIGlkIQ",
                                    "x".repeat(513 + r.nextInt(3_000))
                                }
                                [r.nextInt(6)],
                "limit=5&cursor=" + new String[] {"", "%E2%80%AE", "..%2F..%2F"}[r.nextInt(3)]
            };
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            String query = queries[r.nextInt(queries.length)];
            if (r.nextInt(4) == 0) {
                query = "limit=5";
                String[] keys = {TestApiKeys.PROFILE_READ_ONLY, TestApiKeys.EVENTS_WRITE_ONLY, null};
                String key = keys[r.nextInt(keys.length)];
                if (key != null) {
                    headers.put("Authorization", "Bearer " + key);
                }
            } else {
                headers.put("Authorization", BEARER);
            }
            return Case.refused(
                    Service.MERGE,
                    "index-backfill",
                    RawHttp.request("POST", "/api/v1/matching/index/backfill?" + query, headers, new byte[0]));
        });
        kinds.add(r -> {
            String[] ids = {
                java.util.UUID.randomUUID().toString(),
                "customer%23" + hostileCustomer(),
                "..%2F..%2Fetc",
                "x".repeat(1 + r.nextInt(4_000)),
                "%00",
                "%E2%80%AE"
            };
            return mergeRead(
                    "erasure-read",
                    "/api/v1/erasures/" + ids[r.nextInt(ids.length)],
                    r.nextInt(4) == 0 ? TestApiKeys.PROFILE_READ_ONLY : TestApiKeys.ALL_SCOPES);
        });
        kinds.add(r -> {
            // the register of erasures: every query here is refused (bad limit, cursor or scope)
            String[] queries = {
                "limit=" + new String[] {"0", "-1", "101", "99999999999", "1e3", "%20", ""}[r.nextInt(7)],
                "cursor="
                        + new String[] {
                                    "",
                                    "%00",
                                    "!!!",
                                    "bm90LWEtcG9zaXRpb24",
                                    "MjAyNi0wMS0wMVQwMDowMDowMC4wMDBaI3g",
                                    "x".repeat(129 + r.nextInt(3_000))
                                }
                                [r.nextInt(6)]
            };
            boolean scope = r.nextInt(4) == 0;
            return mergeRead(
                    "erasure-list",
                    "/api/v1/erasures" + (scope ? "" : "?" + queries[r.nextInt(queries.length)]),
                    scope ? TestApiKeys.PROFILE_READ_ONLY : TestApiKeys.ALL_SCOPES);
        });
        kinds.add(r -> {
            // an erasure looked up by customer: hostile ids were never erased (404), malformed ones are 400s
            String customer = r.nextInt(3) == 0 ? pathId(r) : hostileCustomer();
            return mergeRead(
                    "erasure-by-customer",
                    "/api/v1/customers/" + customer + "/erasure",
                    r.nextInt(4) == 0 ? TestApiKeys.PROFILE_READ_ONLY : TestApiKeys.ALL_SCOPES);
        });
        // campaign uploads refused as a whole: nothing of them may be stored or published
        kinds.add(r -> {
            String[] bodies = {
                "",
                "\n\n",
                "customer_id\n",
                "customer_id,tier\n",
                "email,customer_id\nx,c\n",
                "customer_id,Tier\nc,1\n",
                "customer_id,tier,tier\nc,1,2\n",
                "\"customer_id,tier\nc,1\n",
                "customer_id," + "a,".repeat(600) + "b\nc,1\n",
                "\u0000customer_id,tier\nc,1\n"
            };
            return campaign(r, "campaign-bad-file", "text/csv", utf8(bodies[r.nextInt(bodies.length)]), "");
        });
        kinds.add(r -> {
            String[] queries = {
                "?timestamp_utc=" + OUT_OF_RANGE_TIMES.get(r.nextInt(OUT_OF_RANGE_TIMES.size())),
                "?timestamp_utc=yesterday",
                "?timestamp_utc=2999-01-01T00:00:00Z",
                "?name=" + "n".repeat(129 + r.nextInt(2000)),
                "?name=a%0Ab",
                "?name=%00"
            };
            return campaign(
                    r,
                    "campaign-bad-parameter",
                    "text/csv",
                    utf8("customer_id,tier\n" + hostileCustomer() + ",gold\n"),
                    queries[r.nextInt(queries.length)]);
        });
        kinds.add(r -> {
            String[] types = {
                "text/csv; charset=ISO-8859-1", "text/csv; charset=UTF-16", "application/json", "text/plain", "csv"
            };
            return campaign(
                    r,
                    "campaign-wrong-content-type",
                    types[r.nextInt(types.length)],
                    utf8("customer_id,tier\n" + hostileCustomer() + ",gold\n"),
                    "");
        });
        kinds.add(r -> {
            // a good file whose answer the client cannot take: refused (406) before anything is stored (it was
            // stored first, then refused)
            String[] accepts = {"text/plain", "text/html", "application/xml", "image/*", "application/x-ndjson"};
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", BEARER);
            headers.put("Content-Type", "text/csv");
            headers.put("Accept", accepts[r.nextInt(accepts.length)]);
            return Case.refused(
                    Service.INGESTION,
                    "campaign-not-acceptable",
                    RawHttp.request(
                            "POST",
                            "/api/v1/campaigns?name=hostile",
                            headers,
                            utf8("customer_id,tier\n" + hostileCustomer() + ",gold\n")));
        });
        kinds.add(r -> {
            String[] targets = {
                "/api/v1/campaigns/" + java.util.UUID.randomUUID(),
                "/api/v1/campaigns/not-a-uuid",
                "/api/v1/campaigns/..%2F..%2Fetc",
                "/api/v1/campaigns/" + "x".repeat(1 + r.nextInt(4_000)),
                "/api/v1/campaigns?limit=0",
                "/api/v1/campaigns?limit=-1",
                "/api/v1/campaigns?limit=99999999999",
                "/api/v1/campaigns?limit=%00"
            };
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", BEARER);
            return Case.refused(
                    Service.INGESTION,
                    "campaign-read",
                    RawHttp.request("GET", targets[r.nextInt(targets.length)], headers, new byte[0]));
        });
        kinds.add(r -> {
            // cancelling: an unknown, malformed, traversing or huge id, a caller without events:write, a body
            String[] ids = {
                java.util.UUID.randomUUID().toString(),
                "not-a-uuid",
                "..%2F..%2Fetc",
                "%00",
                java.util.UUID.randomUUID() + "%20",
                "x".repeat(1 + r.nextInt(4_000))
            };
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", r.nextInt(4) == 0 ? "Bearer " + TestApiKeys.PROFILE_READ_ONLY : BEARER);
            byte[] body =
                    r.nextBoolean() ? new byte[0] : utf8("{\"reason\": \"" + "x".repeat(r.nextInt(9_000)) + "\"}");
            if (body.length > 0) {
                headers.put("Content-Type", r.nextBoolean() ? "application/json" : "text/plain");
            }
            return Case.refused(
                    Service.INGESTION,
                    "campaign-cancel",
                    RawHttp.request(
                            "POST", "/api/v1/campaigns/" + ids[r.nextInt(ids.length)] + "/cancel", headers, body));
        });
        return kinds;
    }

    private Case campaign(Random r, String kind, String contentType, byte[] body, String query) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", r.nextInt(8) == 0 ? "Bearer " + TestApiKeys.PROFILE_READ_ONLY : BEARER);
        headers.put("Content-Type", contentType);
        return Case.refused(
                Service.INGESTION, kind, RawHttp.request("POST", "/api/v1/campaigns" + query, headers, body));
    }

    /** A POST to merge-service whose JSON {@code template} has {@code <bad>} replaced by invalid UTF-8. */
    private static Case mergeBadUtf8(Random r, String kind, String path, String template) {
        return Case.refused(
                Service.MERGE,
                kind,
                RawHttp.request(
                        "POST", path, json(), splice(template, "<bad>", BAD_UTF8.get(r.nextInt(BAD_UTF8.size())))));
    }

    /** A GET to merge-service with {@code apiKey}, which must be refused. */
    private static Case mergeRead(String kind, String target, String apiKey) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + apiKey);
        return Case.refused(Service.MERGE, kind, RawHttp.request("GET", target, headers, null));
    }

    private Case read(Random r, String target) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + TestApiKeys.PROFILE_READ_ONLY);
        return Case.refused(Service.RECONSTRUCTION, "read", RawHttp.request("GET", target, headers, null));
    }

    /** A customer id in a path: unknown, malformed or encoded in ways a path should not carry. */
    private String pathId(Random r) {
        String[] ids = {
            "%2F",
            "a%00b",
            "%FF",
            "..",
            "a%20b",
            "caf%C3%A9",
            "x".repeat(129),
            "a;b",
            "a%0Ab",
            "%2e%2e",
            "a%5Cb",
            "%ED%A0%80"
        };
        return ids[r.nextInt(ids.length)];
    }

    private static byte[] splice(String text, String marker, byte[] bytes) {
        int at = text.indexOf(marker);
        byte[] before = utf8(text.substring(0, at));
        byte[] after = utf8(text.substring(at + marker.length()));
        return concat(concat(before, bytes), after);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
