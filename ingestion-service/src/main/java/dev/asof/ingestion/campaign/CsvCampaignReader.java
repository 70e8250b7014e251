package dev.asof.ingestion.campaign;

import dev.asof.events.AttributeKeys;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@code text/csv} campaign (RFC 4180): a header {@code customer_id,<attribute_key>,...}, then one row per
 * customer. An empty cell changes nothing; the literal {@code null} removes the attribute; any other cell sets it to
 * that text. Fields may be quoted ({@code "a, b"}, {@code ""} for a quote) and a quoted field may span lines.
 */
final class CsvCampaignReader implements CampaignLine.Reader {

    static final String CUSTOMER_ID = "customer_id";

    private final PhysicalLines lines;
    private final int maxLineBytes;
    private final List<String> header;

    CsvCampaignReader(PhysicalLines lines, int maxLineBytes) throws IOException {
        this.lines = lines;
        this.maxLineBytes = maxLineBytes;
        this.header = readHeader();
    }

    private List<String> readHeader() throws IOException {
        PhysicalLines.Line line = lines.next();
        if (line == null) {
            throw badHeader(
                    "the upload is empty; a CSV campaign starts with the header customer_id,<attribute_key>,...");
        }
        if (line.tooLong()) {
            // named as such: an outside probe's long header was called unreadable UTF-8
            throw badHeader(
                    "the header (line 1) is longer than asof.campaigns.max-line-size (" + maxLineBytes + " bytes)");
        }
        String text = Utf8Lines.decode(line.bytes());
        List<String> fields = text == null ? null : fields(text);
        if (fields == null || fields == TEXT_AFTER_QUOTE) {
            throw badHeader("the header (line 1) is not a readable CSV line in UTF-8");
        }
        if (fields.isEmpty() || !fields.get(0).equals(CUSTOMER_ID)) {
            throw badHeader("the header's first column must be customer_id");
        }
        if (fields.size() < 2) {
            throw badHeader("the header names no attribute column after customer_id");
        }
        if (fields.size() - 1 > BulkProfileUpdate.MAX_CHANGES) {
            throw badHeader("the header names " + (fields.size() - 1) + " attribute columns; at most "
                    + BulkProfileUpdate.MAX_CHANGES + " (one bulk update per line)");
        }
        // customer_id names the line's customer: as an attribute column it would be read as a second one
        Set<String> seen = new HashSet<>(Set.of(CUSTOMER_ID));
        for (int i = 1; i < fields.size(); i++) {
            String key = fields.get(i);
            if (!AttributeKeys.isValid(key)) {
                throw badHeader("header column " + (i + 1) + " is not an attribute key: it must match "
                        + AttributeKeys.PATTERN);
            }
            if (!seen.add(key)) {
                throw badHeader(
                        key.equals(CUSTOMER_ID)
                                ? "header column " + (i + 1)
                                        + " repeats customer_id (the first column names the customer)"
                                : "header column " + (i + 1) + " repeats the attribute key " + key);
            }
        }
        return List.copyOf(fields);
    }

    private static ApiProblemException badHeader(String detail) {
        return new ApiProblemException(Problems.of(HttpStatus.BAD_REQUEST, "csv-header", "Bad CSV header", detail));
    }

    /**
     * The next record: physical lines joined while a quote is open (an odd number of {@code "} so far). A record
     * that is too long or not UTF-8 is still read to its end, so text inside its quotes never becomes rows; each
     * line of the record is handed over once, so the work is linear in the upload's size.
     */
    @Override
    public CampaignLine next() throws IOException {
        while (true) {
            PhysicalLines.Line line = lines.next();
            if (line == null) {
                return null;
            }
            long first = line.number();
            boolean open = line.insideQuotes();
            boolean tooLong = line.tooLong();
            long length = line.bytes().length;
            List<byte[]> parts = new ArrayList<>();
            parts.add(line.bytes());
            while (open) {
                PhysicalLines.Line more = lines.next();
                if (more == null) {
                    return CampaignLine.bad(first, "csv-quote", "line " + first + " opens a quote that never closes");
                }
                open = more.insideQuotes();
                length += more.bytes().length + 1;
                if (more.tooLong() || length > maxLineBytes) {
                    tooLong = true;
                    parts.clear();
                } else if (!tooLong) {
                    parts.add(more.bytes());
                }
            }
            if (tooLong) {
                return Utf8Lines.tooLong(first, maxLineBytes);
            }
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                String decoded = Utf8Lines.decode(parts.get(i));
                if (decoded == null) {
                    return Utf8Lines.notUtf8(first);
                }
                if (i > 0) {
                    text.append('\n');
                }
                text.append(decoded);
            }
            if (text.length() == 0) {
                continue;
            }
            return row(first, fields(text.toString()));
        }
    }

    private CampaignLine row(long line, List<String> fields) {
        if (fields == null || fields == TEXT_AFTER_QUOTE) {
            return CampaignLine.bad(
                    line,
                    "csv-quote",
                    "line " + line + " has a quote inside an unquoted field or text after a closing quote (quote"
                            + " the whole field and write \"\" for a quote)");
        }
        if (fields.size() != header.size()) {
            return CampaignLine.bad(
                    line,
                    "ragged-row",
                    "line " + line + " has " + fields.size() + " fields; the header has " + header.size());
        }
        ArrayNode changes = JsonNodeFactory.instance.arrayNode();
        for (int i = 1; i < fields.size(); i++) {
            String cell = fields.get(i);
            if (cell.isEmpty()) {
                continue;
            }
            ObjectNode change = changes.addObject();
            change.put("attribute_key", header.get(i));
            if (cell.equals("null")) {
                change.putNull("new_value");
            } else {
                change.put("new_value", cell);
            }
        }
        if (changes.isEmpty()) {
            return CampaignLine.bad(line, "no-changes", "every attribute cell of line " + line + " is empty");
        }
        return CampaignLine.good(line, fields.get(0), changes);
    }

    @Override
    public String where(String pointer, ArrayNode changes) {
        if (pointer.startsWith("/customer_id")) {
            return "column customer_id";
        }
        String prefix = "/payload/changes/";
        if (pointer.startsWith(prefix)) {
            String rest = pointer.substring(prefix.length());
            int slash = rest.indexOf('/');
            String index = slash < 0 ? rest : rest.substring(0, slash);
            if (!index.isEmpty() && index.chars().allMatch(Character::isDigit)) {
                int i = Integer.parseInt(index);
                if (i < changes.size()) {
                    return "column " + changes.get(i).path("attribute_key").asString();
                }
            }
        }
        return pointer.isEmpty() ? "the line" : pointer;
    }

    /** What {@link #fields} returns for a record with text after a closing quote (compared by identity). */
    static final List<String> TEXT_AFTER_QUOTE = java.util.Collections.unmodifiableList(new ArrayList<>());

    /** The fields of a CSV record, {@code null} when a quote is still open at its end. */
    static List<String> fields(String text) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = text.length();
        while (true) {
            if (i < n && text.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && text.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                        } else {
                            i++;
                            closed = true;
                            break;
                        }
                    } else {
                        field.append(c);
                        i++;
                    }
                }
                if (!closed) {
                    return null;
                }
                if (i < n && text.charAt(i) != ',') {
                    return TEXT_AFTER_QUOTE;
                }
            } else {
                while (i < n && text.charAt(i) != ',') {
                    if (text.charAt(i) == '"') {
                        return TEXT_AFTER_QUOTE;
                    }
                    field.append(text.charAt(i));
                    i++;
                }
            }
            fields.add(field.toString());
            field.setLength(0);
            if (i >= n) {
                return fields;
            }
            i++; // the comma
        }
    }
}
