package org.kdmq.bridge.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import java.time.Duration;
import org.kdmq.gateway.api.NodeAddress;

/**
 * How one AMQP request wants to be answered, read from its payload (or AMQP headers):
 * {@code Target-Node} (header {@code kdmq-target-node}) to ask one DMQ node, {@code Query-Timeout} in
 * milliseconds, {@code Query-Collect: true} to gather every node's reply until the timeout.
 */
public record QueryOptions(NodeAddress target, Duration timeout, boolean collect) {
    /** The longest timeout a request may ask for: a KDMQ transaction lives 32 s at most. */
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(30);

    /** @throws IllegalArgumentException with what is wrong, for an error reply */
    public static QueryOptions of(JsonNode payload, AMQP.BasicProperties props, Duration defaultTimeout) {
        String target = payload.path("Target-Node").asText("");
        if (target.isEmpty() && props != null && props.getHeaders() != null && props.getHeaders().get("kdmq-target-node") != null) {
            target = props.getHeaders().get("kdmq-target-node").toString();
        }
        NodeAddress node = null;
        if (!target.isEmpty()) {
            try {
                node = NodeAddress.parse(target);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("bad Target-Node '" + target + "': " + e.getMessage());
            }
        }
        Duration timeout = defaultTimeout;
        JsonNode t = payload.get("Query-Timeout");
        if (t != null && !t.isNull()) {
            long ms;
            if (t.canConvertToLong() || t.isTextual() && t.asText().matches("\\d{1,9}")) {
                ms = t.asLong();
            } else {
                throw new IllegalArgumentException("Query-Timeout must be a number of milliseconds, got " + t);
            }
            timeout = timeout("Query-Timeout", ms);
        }
        JsonNode c = payload.get("Query-Collect");
        boolean collect = c != null && (c.asBoolean(false) || "true".equalsIgnoreCase(c.asText()));
        return new QueryOptions(node, timeout, collect);
    }

    /**
     * A query timeout checked against {@link #MAX_TIMEOUT}, whoever gives it (flag, request field, RPC).
     *
     * @throws IllegalArgumentException naming {@code what} when it is out of range
     */
    public static Duration timeout(String what, long ms) {
        if (ms < 1 || ms > MAX_TIMEOUT.toMillis()) {
            throw new IllegalArgumentException(what + " must be 1.." + MAX_TIMEOUT.toMillis() + " ms, got " + ms);
        }
        return Duration.ofMillis(ms);
    }

    /** The failure behind a CompletionException (what futures of queries fail with). */
    public static Throwable cause(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
