package org.kdmq.gateway.api;

import java.nio.charset.StandardCharsets;

/**
 * One node's final answer to a request we sent, or a local one: 408 when it never answered (timer F),
 * 503 when it could not be reached (connection refused, transport error).
 */
public record NodeReply(NodeAddress node, int statusCode, String reason, byte[] body, String contentType,
                        boolean local) {

    public boolean isSuccess() {
        return statusCode >= 200 && statusCode < 300;
    }

    public String bodyAsString() {
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }
}
