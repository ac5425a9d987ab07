package org.kdmq.gateway.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/** A SIP request: method, Request-URI (kept as text, parsed on demand), headers and body. */
public final class SipRequest extends SipMessage {
    private final String method;
    private final String requestUri;
    private volatile SipUri parsedUri;

    private SipRequest(Builder b) {
        super(b.headers.build(), b.body);
        this.method = Objects.requireNonNull(b.method, "method");
        this.requestUri = Objects.requireNonNull(b.requestUri, "requestUri");
    }

    private SipRequest(String method, String requestUri, SipHeaders headers, SipRequest bodyOf) {
        super(headers, bodyOf);
        this.method = method;
        this.requestUri = requestUri;
    }

    /**
     * This request with one more header field before all others (the Via a transaction prepends as it
     * sends): the other fields and the body are shared, not copied through builders.
     */
    public SipRequest withFirstHeader(String name, String value) {
        return new SipRequest(method, requestUri, headers().withFirst(new SipHeader(name, value)), this);
    }

    public static Builder builder(String method, String requestUri) {
        return new Builder(method, requestUri);
    }

    public String method() {
        return method;
    }

    /** The Request-URI exactly as written on the start line. */
    public String requestUriText() {
        return requestUri;
    }

    /** The Request-URI parsed; throws SipSyntaxException when it is not a valid sip:/sips: URI. */
    public SipUri requestUri() {
        SipUri uri = parsedUri;
        if (uri == null) {
            uri = SipUri.parse(requestUri);
            parsedUri = uri;
        }
        return uri;
    }

    /**
     * This request with its top Via replaced by {@code stamped} (a transport noting received/rport,
     * RFC 3261 18.2.1); other Via values in the same header line are kept.
     */
    public SipRequest withTopVia(Via stamped) {
        List<SipHeader> fields = headers().asList();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).hasName(HeaderNames.VIA)) {
                String stampedText = Via.replaceFirst(fields.get(i).value(), stamped);
                SipRequest request = new SipRequest(method, requestUri,
                        headers().withReplaced(i, new SipHeader(HeaderNames.VIA, stampedText)), this);
                request.knowTopVia(stampedText, stamped);
                return request;
            }
        }
        return this; // no Via to stamp
    }

    @Override
    public boolean isRequest() {
        return true;
    }

    public Builder toBuilder() {
        Builder b = new Builder(method, requestUri);
        b.headers = headers().toBuilder();
        b.body(rawBody());
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SipRequest r && method.equals(r.method) && requestUri.equals(r.requestUri)
                && sameHeadersAndBody(r);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, requestUri, headersAndBodyHash());
    }

    @Override
    public String toString() {
        return method + " " + requestUri + " (Call-ID " + callId() + ", " + bodyLength() + " body bytes)";
    }

    public static final class Builder {
        private String method;
        private String requestUri;
        private SipHeaders.Builder headers = SipHeaders.builder();
        private BodySlice body = BodySlice.NONE;

        private Builder(String method, String requestUri) {
            this.method = method;
            this.requestUri = requestUri;
        }

        public Builder method(String value) {
            this.method = value;
            return this;
        }

        public Builder requestUri(String value) {
            this.requestUri = value;
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

        public SipRequest build() {
            return new SipRequest(this);
        }
    }
}
