package org.kdmq.bridge.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.kdmq.bridge.kazoo.KazooEnvelope;
import org.kdmq.bridge.kazoo.RoutingKeyTemplate;
import org.kdmq.gateway.api.DmqMessage;
import org.kdmq.gateway.api.DmqResponse;

/**
 * A DMQ channel whose requests are AMQP queries ({@code --query-channel CHANNEL=EXCHANGE[:TEMPLATE]}):
 * each KDMQ body (a JSON object) is published to the exchange through a {@link TargetedRequester}, and
 * the KDMQ is answered 200 with the reply JSON, 408 when none came within the timeout, 400 for a body
 * that is not a JSON object (it would make Kamailio subscribers abort), 503 when the broker refused.
 */
public record QueryChannel(String channel, String exchange, RoutingKeyTemplate routing) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code CHANNEL=EXCHANGE[:ROUTING_KEY_TEMPLATE]}; the template defaults to {@code {Event-Category}.{Event-Name}}. */
    public static QueryChannel parse(String value) {
        int eq = value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            throw new IllegalArgumentException("--query-channel takes CHANNEL=EXCHANGE[:ROUTING_KEY_TEMPLATE]: " + value);
        }
        String channel = value.substring(0, eq).trim();
        String rest = value.substring(eq + 1).trim();
        int colon = rest.indexOf(':');
        String exchange = colon < 0 ? rest : rest.substring(0, colon).trim();
        String template = colon < 0 ? RoutingKeyTemplate.DEFAULT : rest.substring(colon + 1).trim();
        if (exchange.isEmpty() || template.isEmpty()) {
            throw new IllegalArgumentException("--query-channel needs an exchange and a non-empty template: " + value);
        }
        return new QueryChannel(channel, exchange, RoutingKeyTemplate.parse(template));
    }

    /** Answers one KDMQ on this channel by asking the AMQP world. */
    public CompletionStage<DmqResponse> handle(DmqMessage message, TargetedRequester requester, Duration defaultTimeout) {
        ObjectNode request = KazooEnvelope.asObject(message.body());
        if (request == null) {
            return done(DmqResponse.error(400, "Bad Request (a query body must be a JSON object)"));
        }
        Duration timeout;
        try {
            timeout = QueryOptions.of(request, null, defaultTimeout).timeout();
        } catch (IllegalArgumentException e) {
            return done(DmqResponse.error(400, "Bad Request (" + e.getMessage() + ")"));
        }
        return requester.query(exchange, routing, request, timeout).handle((reply, error) -> {
            if (error == null) {
                return DmqResponse.ok(write(reply), "application/json");
            }
            Throwable cause = QueryOptions.cause(error);
            if (cause instanceof TimeoutException) {
                return DmqResponse.error(408, "Request Timeout (no AMQP reply within " + timeout.toMillis() + " ms)");
            }
            if (cause instanceof IllegalArgumentException) {
                return DmqResponse.error(400, "Bad Request (" + cause.getMessage() + ")");
            }
            return DmqResponse.error(503, "Service Unavailable (" + cause.getMessage() + ")");
        });
    }

    private static byte[] write(JsonNode reply) {
        try {
            return JSON.writeValueAsBytes(reply);
        } catch (IOException e) {
            throw new IllegalStateException(e); // a parsed JSON tree always serialises
        }
    }

    private static CompletionStage<DmqResponse> done(DmqResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
