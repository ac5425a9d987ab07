package org.kdmq.gateway.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** A SIP response: status code, reason phrase, headers and body. */
public final class SipResponse extends SipMessage {
    private final int statusCode;
    private final String reasonPhrase;

    private SipResponse(Builder b) {
        super(b.headers.build(), b.body);
        if (b.statusCode < 100 || b.statusCode > 699) {
            throw new IllegalArgumentException("status code out of range: " + b.statusCode);
        }
        this.statusCode = b.statusCode;
        this.reasonPhrase = Objects.requireNonNullElse(b.reasonPhrase, "");
        if (b.copiedFrom != null) { // the same Via line as the request's: routing need not parse it again
            knowTopVia(b.copiedFrom.headers().first(HeaderNames.VIA).orElse(null), b.copiedFrom.parsedTopVia());
        }
    }

    public static Builder builder(int statusCode, String reasonPhrase) {
        return new Builder(statusCode, reasonPhrase);
    }

    /**
     * Starts a response to {@code request} as RFC 3261 section 8.2.6.2 says: Via (all, in order),
     * From, To, Call-ID and CSeq copied. The caller adds a To tag when the request's To has none.
     */
    public static Builder to(SipRequest request, int statusCode, String reasonPhrase) {
        Builder b = new Builder(statusCode, reasonPhrase);
        for (SipHeader h : request.headers().asList()) {
            if (isCopiedFromRequest(h)) {
                b.headers.add(h);
            }
        }
        b.copiedFrom = request;
        return b;
    }

    /** Whether a response takes this field from its request: Via, From, To, Call-ID or CSeq. */
    public static boolean isCopiedFromRequest(SipHeader h) {
        // A stored name is the constant for any spelling of these (SipHeader normalizes): identity will do.
        String name = h.name();
        return name == HeaderNames.VIA || name == HeaderNames.FROM || name == HeaderNames.TO
                || name == HeaderNames.CALL_ID || name == HeaderNames.CSEQ;
    }

    public int statusCode() {
        return statusCode;
    }

    public String reasonPhrase() {
        return reasonPhrase;
    }

    public boolean isProvisional() {
        return statusCode < 200;
    }

    public boolean isSuccess() {
        return statusCode >= 200 && statusCode < 300;
    }

    @Override
    public boolean isRequest() {
        return false;
    }

    public Builder toBuilder() {
        Builder b = new Builder(statusCode, reasonPhrase);
        b.headers = headers().toBuilder();
        b.body(rawBody());
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SipResponse r && statusCode == r.statusCode && reasonPhrase.equals(r.reasonPhrase)
                && sameHeadersAndBody(r);
    }

    @Override
    public int hashCode() {
        return Objects.hash(statusCode, reasonPhrase, headersAndBodyHash());
    }

    @Override
    public String toString() {
        return statusCode + " " + reasonPhrase + " (Call-ID " + callId() + ", " + bodyLength() + " body bytes)";
    }

    public static final class Builder {
        private int statusCode;
        private String reasonPhrase;
        private SipHeaders.Builder headers = SipHeaders.builder();
        private BodySlice body = BodySlice.NONE;
        private SipRequest copiedFrom;

        private Builder(int statusCode, String reasonPhrase) {
            this.statusCode = statusCode;
            this.reasonPhrase = reasonPhrase;
        }

        public Builder status(int code, String reason) {
            this.statusCode = code;
            this.reasonPhrase = reason;
            return this;
        }

        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        public Builder setHeader(String name, String value) {
            headers.set(name, value);
            return this;
        }

        public Builder removeHeader(String name) {
            headers.remove(name);
            return this;
        }

        public Builder headers(SipHeaders value) {
            headers = value.toBuilder();
            return this;
        }

        public SipHeaders.Builder headers() {
            return headers;
        }

        /** The body (copied when the message is built); null for none. */
        public Builder body(byte[] value) {
            this.body = BodySlice.of(value);
            return this;
        }

        /** The body is {@code source[offset, offset + length)}, copied when the message is built. */
        public Builder body(byte[] source, int offset, int length) {
            this.body = new BodySlice(source, offset, length);
            return this;
        }

        public Builder body(String value) {
            return body(value.getBytes(StandardCharsets.UTF_8));
        }

        public SipResponse build() {
            return new SipResponse(this);
        }
    }
}
