package org.kdmq.gateway.sip.codec;

/**
 * Finds message boundaries in a TCP/TLS byte stream (RFC 3261 section 18.3): the header section ends at
 * the first empty line, and Content-Length, mandatory on streams, gives the body. It only looks for
 * boundaries; {@link SipParser} parses the frame. Never asks to buffer past the message size limit.
 */
public final class SipStreamFramer {
    private SipStreamFramer() {
    }

    /** How many CR/LF bytes (keep-alives, RFC 5626 section 3.5.1) start the buffer. */
    public static int leadingKeepAliveLength(byte[] buf, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end && (buf[i] == '\r' || buf[i] == '\n')) {
            i++;
        }
        return i - offset;
    }

    /**
     * The length of the first whole message at {@code offset} (which must not start with CR/LF), or -1
     * when more bytes are needed.
     *
     * @throws SipParseException when the header section or the message exceeds the limits, or
     *                           Content-Length is missing, malformed or conflicting
     */
    public static int frameLength(byte[] buf, int offset, int length, SipLimits limits) throws SipParseException {
        int total = messageLength(buf, offset, length, limits);
        return total >= 0 && length >= total ? total : -1;
    }

    /**
     * The length the first message at {@code offset} has once its header section is complete, whether
     * or not its body is all there yet; -1 while the header section is not complete. Lets a stream
     * reader copy only what it needs.
     *
     * @throws SipParseException as {@link #frameLength}
     */
    public static int messageLength(byte[] buf, int offset, int length, SipLimits limits) throws SipParseException {
        int end = offset + length;
        int headerEnd = -1; // index just past the empty line
        for (int i = offset; i < end; i++) {
            if (buf[i] == '\n') {
                if (i + 1 < end && buf[i + 1] == '\n') {
                    headerEnd = i + 2;
                    break;
                }
                if (i + 2 < end && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
                    headerEnd = i + 3;
                    break;
                }
            }
            if (i - offset >= limits.maxMessageSize()) {
                throw new SipParseException("Header section too large (no empty line in "
                        + limits.maxMessageSize() + " bytes)", 0);
            }
        }
        if (headerEnd < 0) {
            return -1;
        }
        int contentLength = findContentLength(buf, offset, headerEnd);
        if (contentLength < 0) {
            throw new SipParseException("Missing Content-Length on a stream transport", 0);
        }
        long total = (long) (headerEnd - offset) + contentLength;
        if (total > limits.maxMessageSize()) {
            throw new SipParseException("Message too large (" + total + " > " + limits.maxMessageSize() + " bytes)", 0);
        }
        return (int) total;
    }

    /** Content-Length (or compact "l") from the header lines, unfolding continuations; -1 if absent. */
    private static int findContentLength(byte[] buf, int from, int to) throws SipParseException {
        int found = -1;
        int lineStart = from;
        while (lineStart < to) {
            int lf = lineStart;
            while (lf < to && buf[lf] != '\n') {
                lf++;
            }
            if (buf[lineStart] != ' ' && buf[lineStart] != '\t') {
                int nameEnd = lineStart;
                while (nameEnd < lf && buf[nameEnd] != ':') {
                    nameEnd++;
                }
                if (nameEnd < lf && isContentLengthName(buf, lineStart, nameEnd)) {
                    StringBuilder value = new StringBuilder(new String(buf, nameEnd + 1, lf - nameEnd - 1,
                            java.nio.charset.StandardCharsets.ISO_8859_1));
                    int next = lf + 1;
                    while (next < to && (buf[next] == ' ' || buf[next] == '\t')) {
                        int nextLf = next;
                        while (nextLf < to && buf[nextLf] != '\n') {
                            nextLf++;
                        }
                        value.append(' ').append(new String(buf, next, nextLf - next,
                                java.nio.charset.StandardCharsets.ISO_8859_1));
                        next = nextLf + 1;
                    }
                    int parsed = SipParser.parseContentLength(value.toString());
                    if (found >= 0 && parsed != found) {
                        throw new SipParseException("Conflicting Content-Length headers", 0);
                    }
                    found = parsed;
                }
            }
            lineStart = lf + 1;
        }
        return found;
    }

    private static boolean isContentLengthName(byte[] buf, int from, int to) {
        int end = to;
        while (end > from && (buf[end - 1] == ' ' || buf[end - 1] == '\t')) {
            end--;
        }
        int len = end - from;
        if (len == 1) {
            return buf[from] == 'l' || buf[from] == 'L';
        }
        if (len != 14) {
            return false;
        }
        String name = "content-length";
        for (int i = 0; i < 14; i++) {
            int c = buf[from + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
