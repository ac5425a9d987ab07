package org.kdmq.gateway.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable SIP message: start line (in the subclasses), ordered headers and body bytes.
 * Structured header values (Via, From/To, CSeq, URIs) are parsed on demand by the accessors below;
 * they throw {@link SipSyntaxException} when the raw value is malformed.
 */
public abstract sealed class SipMessage permits SipRequest, SipResponse {
    public static final String SIP_VERSION = "SIP/2.0";
    private static final byte[] NO_BODY = new byte[0];

    private final SipHeaders headers;
    private final byte[] body;

    /** The body is copied out of {@code body} here, once. */
    SipMessage(SipHeaders headers, BodySlice body) {
        this.headers = Objects.requireNonNull(headers, "headers");
        this.body = body.length() == 0 ? NO_BODY : body.copy();
    }

    /** Other headers, the body of {@code bodyOf}: its array is never written, so it is shared, not cloned. */
    SipMessage(SipHeaders headers, SipMessage bodyOf) {
        this.headers = Objects.requireNonNull(headers, "headers");
        this.body = bodyOf.body;
    }

    public SipHeaders headers() {
        return headers;
    }

    public Optional<String> header(String name) {
        return headers.first(name);
    }

    /** A copy of the body bytes. */
    public byte[] body() {
        return body.length == 0 ? NO_BODY : body.clone();
    }

    /** The body without a copy: a read-only view (what an encoder writes out). */
    public java.nio.ByteBuffer bodyView() {
        return java.nio.ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    public int bodyLength() {
        return body.length;
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public abstract boolean isRequest();

    public String callId() {
        return headers.first(HeaderNames.CALL_ID).orElse(null);
    }

    // Parsed on first use and kept: the transaction, routing and DMQ layers each ask for them.
    // Benign race: two threads may both parse; both get equal values. Not part of equals/hashCode.
    private volatile Via topVia;
    private volatile CSeq cseq;

    public CSeq cseq() {
        CSeq parsed = cseq;
        if (parsed == null) {
            parsed = headers.first(HeaderNames.CSEQ).map(CSeq::parse).orElse(null);
            cseq = parsed;
        }
        return parsed;
    }

    /**
     * Seeds the parsed top Via when the caller knows it (a copy of another message's Via line, or one
     * it has just stamped), so each layer does not parse the same text again. Ignored unless
     * {@code text} is the very String this message's top Via line holds.
     */
    final void knowTopVia(String text, Via parsed) {
        if (parsed != null && text != null && headers.first(HeaderNames.VIA).orElse(null) == text) {
            topVia = parsed;
        }
    }

    /** The top Via if it has been parsed already, else null (never parses). */
    final Via parsedTopVia() {
        return topVia;
    }

    /** The first (topmost) Via value, parsed; null when the message has none. */
    public Via topVia() {
        Via parsed = topVia;
        if (parsed == null) {
            parsed = headers.first(HeaderNames.VIA).map(Via::parseFirst).orElse(null);
            topVia = parsed;
        }
        return parsed;
    }

    public NameAddress from() {
        return headers.first(HeaderNames.FROM).map(NameAddress::parse).orElse(null);
    }

    public NameAddress to() {
        return headers.first(HeaderNames.TO).map(NameAddress::parse).orElse(null);
    }

    public Optional<String> contentType() {
        return headers.first(HeaderNames.CONTENT_TYPE);
    }

    /** Max-Forwards as a number; empty when absent. Throws SipSyntaxException when not a number. */
    public Optional<Integer> maxForwards() {
        return headers.first(HeaderNames.MAX_FORWARDS).map(v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new SipSyntaxException("Max-Forwards is not a number: " + v);
            }
        });
    }

    /** Bodies compare by content, headers by order, name and value. */
    boolean sameHeadersAndBody(SipMessage other) {
        return headers.equals(other.headers) && Arrays.equals(body, other.body);
    }

    int headersAndBodyHash() {
        return 31 * headers.hashCode() + Arrays.hashCode(body);
    }

    byte[] rawBody() {
        return body;
    }
}
