package dev.asof.ingestion.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.support.web.ApiProblemException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The CSV and NDJSON campaign readers, line by line, on the edges a careless or hostile file has. */
class CampaignReadersTest {

    private static final int MAX_LINE = 1024;

    @Test
    void csvRowsBecomeChangesAnEmptyCellChangesNothingAndNullRemoves() throws IOException {
        List<CampaignLine> lines = csv("customer_id,email,tier\r\n"
                + "cust_1,a@example.com,gold\r\n"
                + "cust_2,,null\r\n"
                + "\r\n"
                + "cust_3,\"x, \"\"quoted\"\"\",silver");

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).line()).isEqualTo(2);
        assertThat(lines.get(0).customerId()).isEqualTo("cust_1");
        assertThat(lines.get(0).changes().toString())
                .isEqualTo("[{\"attribute_key\":\"email\",\"new_value\":\"a@example.com\"},"
                        + "{\"attribute_key\":\"tier\",\"new_value\":\"gold\"}]");
        assertThat(lines.get(1).changes().toString()).isEqualTo("[{\"attribute_key\":\"tier\",\"new_value\":null}]");
        assertThat(lines.get(2).line())
                .as("the blank line 4 is skipped, not renumbered")
                .isEqualTo(5);
        assertThat(lines.get(2).changes().get(0).get("new_value").asString()).isEqualTo("x, \"quoted\"");
    }

    @Test
    void aQuotedFieldMaySpanLinesAndKeepsTheNumberOfItsFirstLine() throws IOException {
        List<CampaignLine> lines = csv("customer_id,note\n" + "cust_1,\"two\nlines\"\n" + "cust_2,after\n");

        assertThat(lines).extracting(CampaignLine::line).containsExactly(2L, 4L);
        assertThat(lines.get(0).changes().get(0).get("new_value").asString()).isEqualTo("two\nlines");
    }

    /** RFC 4180: a CRLF inside quotes is part of the value (a probe found it stored as LF); the one ending a record is not. */
    @Test
    void aCrlfInsideQuotesIsKeptAndTheOneEndingTheRecordIsNot() throws IOException {
        List<CampaignLine> lines =
                csv("customer_id,note,tier\r\n" + "cust_1,\"multi\r\nline\",silver\r\n" + "cust_2,\"end\r\n\",x\r\n");

        assertThat(lines).extracting(CampaignLine::line).containsExactly(2L, 4L);
        assertThat(lines.get(0).changes().get(0).get("new_value").asString()).isEqualTo("multi\r\nline");
        assertThat(lines.get(0).changes().get(1).get("new_value").asString()).isEqualTo("silver");
        assertThat(lines.get(1).changes().get(0).get("new_value").asString()).isEqualTo("end\r\n");
        assertThat(lines.get(1).changes().get(1).get("new_value").asString()).isEqualTo("x");
    }

    @Test
    void badCsvLinesAreReportedWithTheirNumbersAndTheRestGoOn() throws IOException {
        ByteArrayOutputStream upload = new ByteArrayOutputStream();
        upload.writeBytes("\uFEFFcustomer_id,email\n".getBytes(StandardCharsets.UTF_8));
        upload.writeBytes("cust_1,a@example.com\n".getBytes(StandardCharsets.UTF_8));
        upload.writeBytes("cust_2,a,b\n".getBytes(StandardCharsets.UTF_8)); // ragged
        upload.writeBytes(new byte[] {'c', 'u', 's', 't', '_', '3', ',', (byte) 0xC3, (byte) 0x28, '\n'}); // bad UTF-8
        upload.writeBytes("cust_4,\n".getBytes(StandardCharsets.UTF_8)); // nothing to change
        upload.writeBytes("cust_5,\"s3cr3t\" x\n".getBytes(StandardCharsets.UTF_8)); // text after a quote
        upload.writeBytes(("cust_6," + "x".repeat(MAX_LINE) + "\n").getBytes(StandardCharsets.UTF_8)); // too long
        upload.writeBytes("cust_7,ok\n".getBytes(StandardCharsets.UTF_8));
        upload.writeBytes("cust_8,\"never closed\n".getBytes(StandardCharsets.UTF_8));

        List<CampaignLine> lines = read(true, upload.toByteArray());

        assertThat(lines)
                .extracting(CampaignLine::line, CampaignLine::errorType)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, null),
                        org.assertj.core.groups.Tuple.tuple(3L, "ragged-row"),
                        org.assertj.core.groups.Tuple.tuple(4L, "encoding"),
                        org.assertj.core.groups.Tuple.tuple(5L, "no-changes"),
                        org.assertj.core.groups.Tuple.tuple(6L, "csv-quote"),
                        org.assertj.core.groups.Tuple.tuple(7L, "line-too-long"),
                        org.assertj.core.groups.Tuple.tuple(8L, null),
                        org.assertj.core.groups.Tuple.tuple(9L, "csv-quote"));
        assertThat(lines.get(0).customerId())
                .as("the byte order mark is not part of the header")
                .isEqualTo("cust_1");
        assertThat(lines.stream().filter(line -> !line.isGood()).map(CampaignLine::errorDetail))
                .allSatisfy(detail -> assertThat(detail).doesNotContain("s3cr3t", "a@example.com", "xxxx"));
    }

    @Test
    void aBadHeaderRefusesTheWholeUpload() {
        for (String header : List.of(
                "",
                "email,customer_id",
                "customer_id",
                "customer_id,Email",
                "customer_id,email,email",
                "\"customer_id")) {
            assertThatThrownBy(() -> csv(header + "\ncust_1,x\n"))
                    .as(header)
                    .isInstanceOfSatisfying(
                            ApiProblemException.class,
                            problem -> assertThat(problem.problem().getType().toString())
                                    .endsWith("csv-header"));
        }
    }

    @Test
    void aHeaderOverTheLineSizeIsSaidToBeTooLong() {
        // an outside probe's long header was called "not a readable CSV line in UTF-8"
        assertThatThrownBy(() -> csv("customer_id," + "a".repeat(MAX_LINE) + "\ncust_1,x\n"))
                .isInstanceOfSatisfying(ApiProblemException.class, problem -> {
                    assertThat(problem.problem().getType().toString()).endsWith("csv-header");
                    assertThat(problem.problem().getDetail()).contains("longer than", "max-line-size");
                });
    }

    @Test
    void ndjsonLinesTakeBulkChangesAndBadLinesAreReported() throws IOException {
        List<CampaignLine> lines = read(
                false,
                ("{\"customer_id\":\"cust_1\",\"changes\":[{\"attribute_key\":\"vip\",\"new_value\":true}]}\n"
                                + "{not json\n"
                                + "[1,2]\n"
                                + "{\"customer_id\":\"cust_2\",\"changes\":[],\"extra\":1}\n"
                                + "{\"changes\":[]}\n"
                                + "{\"customer_id\":\"cust_3\",\"changes\":{}}\n"
                                + "   \n"
                                + "{\"customer_id\":\"cust_4\",\"changes\":[{\"attribute_key\":\"fax\",\"new_value\":null}]}\n"
                                + "{\"customer_id\":123,\"changes\":[]}")
                        .getBytes(StandardCharsets.UTF_8));

        assertThat(lines)
                .extracting(CampaignLine::line, CampaignLine::errorType)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, null),
                        org.assertj.core.groups.Tuple.tuple(2L, "json"),
                        org.assertj.core.groups.Tuple.tuple(3L, "type"),
                        org.assertj.core.groups.Tuple.tuple(4L, "additionalProperties"),
                        org.assertj.core.groups.Tuple.tuple(5L, "required"),
                        org.assertj.core.groups.Tuple.tuple(6L, "type"),
                        org.assertj.core.groups.Tuple.tuple(8L, null),
                        org.assertj.core.groups.Tuple.tuple(9L, "type"));
        assertThat(lines.get(7).errorDetail()).isEqualTo("customer_id must be a string, not a number");
        assertThat(lines.get(6).changes().get(0).get("new_value").isNull()).isTrue();
    }

    /** A number no value holds is that line's JSON error, not a failed upload. */
    @Test
    void anNdjsonNumberWithAnExponentNoValueHoldsIsALineError() throws IOException {
        String good = "{\"customer_id\":\"cust_1\",\"changes\":[{\"attribute_key\":\"tier\",\"new_value\":1}]}";
        List<CampaignLine> lines = read(
                false, (good.replace(":1}", ":1e-2147483648}") + "\n" + good + "\n").getBytes(StandardCharsets.UTF_8));

        assertThat(lines).extracting(CampaignLine::errorType).containsExactly("json", null);
        assertThat(lines.get(0).errorDetail()).doesNotContain("2147483648");
    }

    /** An NDJSON line ends at its CRLF whatever quotes it holds (the CSV rule keeping a quoted CR is CSV's only). */
    @Test
    void anNdjsonLineEndsAtItsCrlfWhateverQuotesItHolds() throws IOException {
        String first = "{\"customer_id\":\"cust_1\",\"changes\":[{\"attribute_key\":\"note\",\"new_value\":\"a,\"}]}";
        String empty = "{\"customer_id\":\"cust_2\",\"changes\":[{\"attribute_key\":\"note\",\"new_value\":\"\"}]}";
        String longest = empty.replace("\"\"}]}", "\"" + "x".repeat(MAX_LINE - empty.length()) + "\"}]}");
        assertThat(longest).hasSize(MAX_LINE);

        List<CampaignLine> lines = read(false, (first + "\r\n" + longest + "\r\n").getBytes(StandardCharsets.UTF_8));

        assertThat(lines)
                .extracting(CampaignLine::line, CampaignLine::errorType)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, null), org.assertj.core.groups.Tuple.tuple(2L, null));
    }

    /** Random bytes never make a reader fail or lose count: every physical line is accounted for. */
    @Test
    void randomBytesAreReadToTheEndWithEveryLineAccountedFor() throws IOException {
        long seed = Long.getLong("asof.seed", 20261201L);
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            ByteArrayOutputStream upload = new ByteArrayOutputStream();
            upload.writeBytes("customer_id,a\n".getBytes(StandardCharsets.UTF_8));
            int physical = 1 + random.nextInt(50);
            for (int i = 0; i < physical; i++) {
                byte[] line = new byte[random.nextInt(3 * MAX_LINE / 2)];
                random.nextBytes(line);
                for (int b = 0; b < line.length; b++) {
                    if (line[b] == '\n') {
                        line[b] = 'x';
                    }
                }
                upload.writeBytes(line);
                upload.write('\n');
            }
            List<CampaignLine> csv = read(true, upload.toByteArray());
            assertThat(csv.size()).as("seed %d round %d", seed, round).isLessThanOrEqualTo(physical);
            assertThat(csv).allSatisfy(line -> assertThat(line.line()).isBetween(2L, physical + 1L));
            List<CampaignLine> ndjson = read(false, upload.toByteArray());
            assertThat(ndjson).allSatisfy(line -> assertThat(line.isGood()).isFalse());
        }
    }

    @Test
    void aRecordTooLongIsReadToItsEndSoTextInsideItsQuotesNeverBecomesRows() throws IOException {
        List<CampaignLine> lines = csv("customer_id,note\n"
                + "cust_1,\"" + "x".repeat(MAX_LINE) + "\n"
                + "cust_9,platinum\n"
                + "end\"\n"
                + "cust_2,ok\n");

        assertThat(lines)
                .extracting(CampaignLine::line, CampaignLine::errorType)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, "line-too-long"),
                        org.assertj.core.groups.Tuple.tuple(5L, null));
        assertThat(lines.get(1).customerId()).isEqualTo("cust_2");
    }

    @Test
    void aQuoteInsideAnUnquotedFieldIsABadLine() throws IOException {
        assertThat(csv("customer_id,note\ncust_1,say \"hi\"\n"))
                .extracting(CampaignLine::errorType)
                .containsExactly("csv-quote");
    }

    @Test
    void aStrayQuoteSpoilsOnlyItsOwnLine() throws IOException {
        List<CampaignLine> lines =
                csv("customer_id,note\n" + "cust_1,5\" screen\n" + "cust_2,ok\n" + "cust_3,\"a\"b\"\n" + "cust_4,ok\n");

        assertThat(lines)
                .extracting(CampaignLine::line, CampaignLine::errorType)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, "csv-quote"),
                        org.assertj.core.groups.Tuple.tuple(3L, null),
                        org.assertj.core.groups.Tuple.tuple(4L, "csv-quote"),
                        org.assertj.core.groups.Tuple.tuple(5L, null));
    }

    /** An open quote followed by 200,000 line breaks: each physical line is handled once (this was quadratic). */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void anOpenQuoteOverManyLinesIsReadInOnePass() throws IOException {
        List<CampaignLine> lines = csv("customer_id,note\ncust_1,\"" + "\n".repeat(200_000) + "\"\ncust_2,ok\n");

        assertThat(lines).extracting(CampaignLine::errorType).containsExactly("line-too-long", null);
    }

    private static List<CampaignLine> csv(String text) throws IOException {
        return read(true, text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<CampaignLine> read(boolean csv, byte[] upload) throws IOException {
        PhysicalLines lines = new PhysicalLines(new ByteArrayInputStream(upload), MAX_LINE, csv);
        CampaignLine.Reader reader =
                csv ? new CsvCampaignReader(lines, MAX_LINE) : new NdjsonCampaignReader(lines, MAX_LINE);
        List<CampaignLine> read = new ArrayList<>();
        for (CampaignLine line = reader.next(); line != null; line = reader.next()) {
            read.add(line);
        }
        return read;
    }
}
