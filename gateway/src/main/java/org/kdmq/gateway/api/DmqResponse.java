package org.kdmq.gateway.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** What a channel handler answers: a SIP final status, a reason phrase, and an optional body. */
public record DmqResponse(int statusCode, String reason, byte[] body, String contentType) {
    private static final byte[] EMPTY = new byte[0];

    public DmqResponse {
        if (statusCode < 200 || statusCode > 699) {
            throw new IllegalArgumentException("a channel handler must answer with a final status, got " + statusCode);
        }
        Objects.requireNonNull(reason, "reason");
        body = body == null ? EMPTY : body;
    }

    public static DmqResponse ok() {
        return new DmqResponse(200, "OK", EMPTY, null);
    }

    public static DmqResponse ok(byte[] body, String contentType) {
        return new DmqResponse(200, "OK", body, contentType);
    }

    public static DmqResponse ok(String body, String contentType) {
        return ok(body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    public static DmqResponse error(int statusCode, String reason) {
        return new DmqResponse(statusCode, reason, EMPTY, null);
    }

    public boolean hasBody() {
        return body.length > 0;
    }
}
