package dev.asof.ingestion.campaign;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits an upload into its physical lines at {@code \n} (a {@code \r} before it is dropped, unless a CSV quote is
 * open there), byte by byte, so a
 * line's bytes can be decoded on their own and a bad byte sequence costs only its line. A line longer than {@code
 * maxLineBytes} is skipped to its end and returned as too long, so memory stays bounded whatever is sent.
 */
final class PhysicalLines {

    /**
     * One physical line: its 1-based number and bytes, or {@code tooLong} with no bytes; {@code insideQuotes} whether
     * it ends inside a CSV quoted field (RFC 4180: a quote opens a field only at its start, {@code ""} inside is a
     * quote), followed byte by byte even through a skipped line, so a CSV reader can tell where a record ends without
     * its bytes. A stray quote elsewhere opens nothing. (The byte {@code "} never occurs inside a multi-byte UTF-8
     * sequence.)
     */
    record Line(long number, byte[] bytes, boolean tooLong, boolean insideQuotes) {}

    /** Where the CSV scanner stands: at a field's start, in an unquoted field, in quotes, or just after a quote. */
    private enum Csv {
        FIELD_START,
        UNQUOTED,
        QUOTED,
        QUOTE_IN_QUOTED
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final boolean csvQuotes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private long number;
    private Csv csv = Csv.FIELD_START;
    private boolean first = true;

    /** @param csv whether the upload is CSV: only there does a quote open across lines (and keep a CR inside it) */
    PhysicalLines(InputStream in, int maxLineBytes, boolean csv) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.csvQuotes = csv;
    }

    /** The next line, or {@code null} at the end of the upload (a last line without {@code \n} counts). */
    Line next() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean tooLong = false;
        boolean sawAny = false;
        if (csv != Csv.QUOTED) {
            csv = Csv.FIELD_START; // a line that does not go on inside quotes ended its record
        }
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!sawAny) {
                        return null;
                    }
                    return finish(line, tooLong);
                }
            }
            sawAny = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                csv = next(csv, buffer[position]);
                position++;
            }
            if (!tooLong) {
                line.write(buffer, start, position - start);
                if (line.size() > maxLineBytes + 1) {
                    tooLong = true;
                    line.reset();
                }
            }
            if (position < limit) {
                position++; // the \n
                return finish(line, tooLong);
            }
        }
    }

    private static Csv next(Csv state, byte b) {
        switch (state) {
            case FIELD_START:
                return b == '"' ? Csv.QUOTED : b == ',' ? Csv.FIELD_START : Csv.UNQUOTED;
            case UNQUOTED:
                return b == ',' ? Csv.FIELD_START : Csv.UNQUOTED;
            case QUOTED:
                return b == '"' ? Csv.QUOTE_IN_QUOTED : Csv.QUOTED;
            default: // QUOTE_IN_QUOTED: "" is a quote; a comma ends the field; anything else is text after a quote
                return b == '"' ? Csv.QUOTED : b == ',' ? Csv.FIELD_START : Csv.UNQUOTED;
        }
    }

    private Line finish(ByteArrayOutputStream line, boolean tooLong) {
        number++;
        if (tooLong) {
            first = false;
            return new Line(number, new byte[0], true, csv == Csv.QUOTED);
        }
        byte[] bytes = line.toByteArray();
        int end = bytes.length;
        // a \r before \n ends the line, except inside quotes, where it is part of the value (RFC 4180 keeps a
        // quoted CRLF as it is)
        if (end > 0 && bytes[end - 1] == '\r' && !(csvQuotes && csv == Csv.QUOTED)) {
            end--;
        }
        int begin = 0;
        if (first && end >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            begin = 3; // a UTF-8 byte order mark
        }
        first = false;
        if (end - begin > maxLineBytes) {
            return new Line(number, new byte[0], true, csv == Csv.QUOTED);
        }
        return new Line(number, Arrays.copyOfRange(bytes, begin, end), false, csv == Csv.QUOTED);
    }
}
