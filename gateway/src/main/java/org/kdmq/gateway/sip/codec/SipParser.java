package org.kdmq.gateway.sip.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kdmq.gateway.sip.message.CSeq;
import org.kdmq.gateway.sip.message.HeaderNames;
import org.kdmq.gateway.sip.message.SipHeader;
import org.kdmq.gateway.sip.message.SipHeaders;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.kdmq.gateway.sip.message.SipSyntaxException;

/**
 * The one SIP parser: bytes of one whole message (a datagram, or a frame cut by {@link SipStreamFramer})
 * to an immutable message, or a {@link SipParseException} saying which line and why. Header values are
 * kept as text and parsed when asked for; only what every message needs is checked here: the start
 * line, Via, From, To, Call-ID, CSeq and Content-Length. No Netty, no I/O.
 */
public final class SipParser {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private SipParser() {
    }

    public static SipMessage parse(byte[] data) throws SipParseException {
        return parse(data, 0, data.length, SipLimits.defaults());
    }

    public static SipMessage parse(byte[] data, int offset, int length, SipLimits limits) throws SipParseException {
        if (length > limits.maxMessageSize()) {
            throw new SipParseException("Message too large (" + length + " > " + limits.maxMessageSize() + " bytes)", 0);
        }
        int end = offset + length;
        int pos = offset;
        while (pos < end && (data[pos] == CR || data[pos] == LF)) {
            pos++; // RFC 3261 section 7.5: ignore CRLFs before the start line
        }
        if (pos == end) {
            throw new SipParseException("Empty message", 0);
        }
        int lineNumber = 1;
        int lineEnd = lineEnd(data, pos, end, limits, lineNumber);
        if (lineEnd < 0) {
            throw new SipParseException("No end of start line", 1);
        }
        String startLine = text(data, pos, trimCr(data, pos, lineEnd));
        StartLine start = parseStartLine(startLine);
        pos = lineEnd + 1;

        List<SipHeader> headers = new ArrayList<>(16);
        String pendingName = null;
        String pendingValue = null;
        int pendingLine = 0;
        boolean headersEnded = false;
        SipParseException failure = null;
        while (pos < end) {
            lineNumber++;
            lineEnd = lineEnd(data, pos, end, limits, lineNumber);
            if (lineEnd < 0) {
                failure = new SipParseException("Header section not terminated by an empty line", lineNumber);
                break;
            }
            int contentEnd = trimCr(data, pos, lineEnd);
            if (contentEnd == pos) {
                pos = lineEnd + 1;
                headersEnded = true;
                break;
            }
            byte first = data[pos];
            if (first == ' ' || first == '\t') {
                if (pendingName == null) {
                    failure = new SipParseException("Continuation line before any header", lineNumber);
                    break;
                }
                String more = trimmedText(data, pos, contentEnd);
                pendingValue = pendingValue.isEmpty() ? more : pendingValue + ' ' + more; // folding: one SP
                if (pendingValue.length() > limits.maxLineLength()) {
                    failure = new SipParseException("Header line too long", pendingLine);
                    break;
                }
            } else {
                if (pendingName != null) {
                    headers.add(new SipHeader(pendingName, pendingValue));
                }
                int colon = indexOf(data, pos, contentEnd, (byte) ':');
                if (colon < 0) {
                    failure = new SipParseException("Malformed header line (no colon)", lineNumber);
                    break;
                }
                String name = HeaderNames.known(data, pos, colon);
                if (name == null && !isToken(name = trimmedText(data, pos, colon))) {
                    failure = new SipParseException("Malformed header name", lineNumber);
                    break;
                }
                if (headers.size() + 1 > limits.maxHeaders()) {
                    failure = new SipParseException("Too many headers (over " + limits.maxHeaders() + ")", lineNumber);
                    break;
                }
                pendingName = name;
                pendingValue = trimmedText(data, colon + 1, contentEnd);
                pendingLine = lineNumber;
            }
            pos = lineEnd + 1;
        }
        if (failure == null && pendingName != null) {
            headers.add(new SipHeader(pendingName, pendingValue));
        }
        if (failure == null && !headersEnded) {
            // A datagram may end right after the last header line without the empty line.
            if (pos < end) {
                failure = new SipParseException("Header section not terminated by an empty line", lineNumber);
            }
        }
        SipHeaders sipHeaders = SipHeaders.of(headers);
        if (failure != null) {
            throw start.isRequest ? failure.withPartialRequest(partial(start, sipHeaders)) : failure;
        }
        try {
            checkMandatoryHeaders(sipHeaders);
            int contentLength = contentLength(sipHeaders);
            int available = end - pos;
            int bodyLength;
            if (contentLength < 0) {
                bodyLength = available;
            } else if (contentLength > available) {
                throw new SipParseException("Content-Length exceeds message (" + contentLength + " > " + available + ")", 0);
            } else {
                bodyLength = contentLength; // RFC 3261 18.3: extra bytes dropped
            }
            if (bodyLength > limits.maxBodySize()) {
                throw new SipParseException("Body too large", 0);
            }
            SipMessage message = build(start, sipHeaders, data, pos, bodyLength);
            checkCSeq(start, message);
            return message;
        } catch (SipParseException e) {
            throw start.isRequest ? e.withPartialRequest(partial(start, sipHeaders)) : e;
        }
    }

    private record StartLine(boolean isRequest, String method, String uri, int status, String reason) {
    }

    private static StartLine parseStartLine(String line) throws SipParseException {
        if (line.regionMatches(true, 0, "SIP/", 0, 4)) {
            int sp1 = line.indexOf(' ');
            if (sp1 < 0 || !line.substring(0, sp1).equalsIgnoreCase(SipMessage.SIP_VERSION)) {
                throw new SipParseException(sp1 < 0 ? "Bad status line" : "Unsupported SIP version", 1);
            }
            int sp2 = line.indexOf(' ', sp1 + 1);
            String code = sp2 < 0 ? line.substring(sp1 + 1) : line.substring(sp1 + 1, sp2);
            if (code.length() != 3 || !isDigits(code)) {
                throw new SipParseException("Bad status code", 1);
            }
            int status = Integer.parseInt(code);
            if (status < 100 || status > 699) {
                throw new SipParseException("Status code out of range", 1);
            }
            return new StartLine(false, null, null, status, sp2 < 0 ? "" : line.substring(sp2 + 1).trim());
        }
        String[] parts = splitOnBlanks(line.trim());
        if (parts == null) {
            throw new SipParseException("Bad request line", 1);
        }
        if (!isToken(parts[0])) {
            throw new SipParseException("Bad method", 1);
        }
        if (!parts[2].equalsIgnoreCase(SipMessage.SIP_VERSION)) {
            throw new SipParseException(parts[2].regionMatches(true, 0, "SIP/", 0, 4)
                    ? "Unsupported SIP version" : "Bad request line", 1);
        }
        if (parts[1].indexOf(':') <= 0) {
            throw new SipParseException("Bad Request-URI", 1);
        }
        return new StartLine(true, parts[0], parts[1], 0, null);
    }

    /** The three parts of a request line split on runs of SP/HTAB, or null when there are not three. */
    private static String[] splitOnBlanks(String line) {
        String[] parts = new String[3];
        int n = 0;
        int i = 0;
        while (i < line.length()) {
            int start = i;
            while (i < line.length() && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
                i++;
            }
            if (n == 3) {
                return null;
            }
            parts[n++] = line.substring(start, i);
            while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
        }
        return n == 3 ? parts : null;
    }

    private static final String[] MANDATORY = {HeaderNames.VIA, HeaderNames.FROM, HeaderNames.TO, HeaderNames.CALL_ID,
        HeaderNames.CSEQ};

    private static void checkMandatoryHeaders(SipHeaders headers) throws SipParseException {
        for (String name : MANDATORY) {
            String value = headers.first(name).orElse(null);
            if (value == null) {
                throw new SipParseException("Missing " + name + " header", 0);
            }
            if (value.isEmpty()) {
                throw new SipParseException("Empty " + name + " header", 0);
            }
        }
    }

    /** Checked on the message, which keeps what it parses: every layer above asks for its CSeq again. */
    private static void checkCSeq(StartLine start, SipMessage message) throws SipParseException {
        CSeq cseq;
        try {
            cseq = message.cseq();
        } catch (SipSyntaxException e) {
            throw new SipParseException("Bad CSeq", 0);
        }
        if (start.isRequest && !cseq.method().equalsIgnoreCase(start.method)) {
            throw new SipParseException("CSeq method does not match the request method", 0);
        }
    }

    /** The Content-Length value, -1 when absent; duplicates must agree. */
    static int contentLength(SipHeaders headers) throws SipParseException {
        List<String> values = headers.all(HeaderNames.CONTENT_LENGTH);
        int length = -1;
        for (String v : values) {
            int parsed = parseContentLength(v);
            if (length >= 0 && parsed != length) {
                throw new SipParseException("Conflicting Content-Length headers", 0);
            }
            length = parsed;
        }
        return length;
    }

    static int parseContentLength(String value) throws SipParseException {
        String v = value.trim();
        if (v.isEmpty() || v.length() > 9 || !isDigits(v)) {
            throw new SipParseException("Bad Content-Length", 0);
        }
        return Integer.parseInt(v);
    }

    /** The message, its body copied once out of {@code data}; the headers pass through unchanged. */
    private static SipMessage build(StartLine start, SipHeaders headers, byte[] data, int bodyStart, int bodyLength) {
        if (start.isRequest) {
            return SipRequest.builder(start.method, start.uri).headers(headers).body(data, bodyStart, bodyLength).build();
        }
        return SipResponse.builder(start.status, start.reason).headers(headers).body(data, bodyStart, bodyLength).build();
    }

    /** The request as far as understood, when the headers needed to answer it are all there. */
    private static SipRequest partial(StartLine start, SipHeaders headers) {
        for (String name : List.of(HeaderNames.VIA, HeaderNames.FROM, HeaderNames.TO, HeaderNames.CALL_ID,
                HeaderNames.CSEQ)) {
            if (headers.first(name).map(String::isEmpty).orElse(true)) {
                return null;
            }
        }
        try {
            CSeq.parse(headers.first(HeaderNames.CSEQ).orElseThrow());
        } catch (SipSyntaxException e) {
            return null;
        }
        return SipRequest.builder(start.method, start.uri).headers(headers).build();
    }

    /** Index of the LF ending the line at {@code from}, -1 when there is none before {@code end}. */
    private static int lineEnd(byte[] data, int from, int end, SipLimits limits, int lineNumber) throws SipParseException {
        int limit = Math.min(end, from + limits.maxLineLength() + 2);
        for (int i = from; i < limit; i++) {
            if (data[i] == LF) {
                return i;
            }
        }
        if (limit < end) {
            throw new SipParseException("Line too long (over " + limits.maxLineLength() + " bytes)", lineNumber);
        }
        return -1;
    }

    private static int trimCr(byte[] data, int from, int lf) {
        return lf > from && data[lf - 1] == CR ? lf - 1 : lf;
    }

    private static int indexOf(byte[] data, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The text between {@code from} and {@code to} without leading and trailing whitespace (as String.trim). */
    private static String trimmedText(byte[] data, int from, int to) {
        while (from < to && data[from] >= 0 && data[from] <= ' ') {
            from++;
        }
        while (to > from && data[to - 1] >= 0 && data[to - 1] <= ' ') {
            to--;
        }
        return text(data, from, to);
    }

    private static String text(byte[] data, int from, int to) {
        return new String(data, from, to - from, StandardCharsets.UTF_8);
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /** RFC 3261 token characters: method names and header names. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-.!%*_+`'~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
