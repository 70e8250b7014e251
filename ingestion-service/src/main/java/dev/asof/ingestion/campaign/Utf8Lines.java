package dev.asof.ingestion.campaign;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 for upload lines: a malformed sequence is an error, never a replacement character. */
final class Utf8Lines {

    private Utf8Lines() {}

    /** The text of {@code bytes}, or {@code null} when they are not valid UTF-8. */
    static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static CampaignLine notUtf8(long line) {
        return CampaignLine.bad(line, "encoding", "line " + line + " is not valid UTF-8");
    }

    static CampaignLine tooLong(long line, int maxBytes) {
        return CampaignLine.bad(line, "line-too-long", "line " + line + " is longer than " + maxBytes + " bytes");
    }
}
