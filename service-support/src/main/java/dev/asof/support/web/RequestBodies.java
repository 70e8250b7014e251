package dev.asof.support.web;

import dev.asof.events.InvalidEventException;
import dev.asof.events.Violation;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Request bodies as text: JSON is UTF-8 (RFC 8259), and a body that is not valid UTF-8 is refused, not repaired. */
public final class RequestBodies {

    private RequestBodies() {}

    /**
     * The body decoded as UTF-8; a malformed or truncated sequence is a 400 (rule {@code utf-8}) naming the byte
     * offset. Replacing bad bytes with U+FFFD, as a lenient decoder does, would make two different ids one.
     */
    public static String utf8(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(body.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new InvalidEventException(List.of(new Violation(
                    "",
                    "utf-8",
                    "the body is not valid UTF-8: a malformed sequence at byte " + in.position()
                            + "; send JSON encoded as UTF-8")));
        }
        return out.flip().toString();
    }
}
