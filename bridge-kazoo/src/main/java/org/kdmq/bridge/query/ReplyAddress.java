package org.kdmq.bridge.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;

/**
 * Where the answer to an AMQP request goes, in the convention the request used: plain AMQP RPC
 * ({@code reply_to} property: default exchange, routing key = reply_to, the same correlation_id; works
 * with {@code amq.rabbitmq.reply-to}) or Kazoo's (exchange {@code targeted}, routing key = the
 * request's {@code Server-ID}).
 */
public record ReplyAddress(String exchange, String routingKey, String correlationId) {
    public static final String TARGETED = "targeted";
    private static final java.util.regex.Pattern CONSUMER_PREFIX = java.util.regex.Pattern.compile("^consumer://[^/]*/");

    /** The reply address of a request, or null when it names none. reply_to wins over Server-ID. */
    public static ReplyAddress of(AMQP.BasicProperties props, JsonNode payload) {
        String replyTo = props == null ? null : props.getReplyTo();
        if (replyTo != null && !replyTo.isBlank()) {
            return new ReplyAddress("", replyTo, props.getCorrelationId());
        }
        String serverId = payload == null ? "" : payload.path("Server-ID").asText("");
        // Kamailio shows a replier's Server-ID to its script as consumer://N/ID; the prefix never goes on the wire.
        serverId = CONSUMER_PREFIX.matcher(serverId).replaceFirst("");
        if (serverId.isBlank()) {
            return null;
        }
        return new ReplyAddress(TARGETED, serverId, props == null ? null : props.getCorrelationId());
    }

    public boolean kazooStyle() {
        return TARGETED.equals(exchange);
    }
}
