package org.kdmq.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code --subscribe}: kazoo_subscribe's simple form {@code EXCHANGE:TYPE:QUEUE:ROUTING} or its JSON
 * form (exchange, type, queue, routing as a string or an array, durable, auto_delete, exclusive,
 * event_key, event_subkey, federate, plus ours: channel, the default DMQ channel, and prefetch).
 * Exchanges are declared non-durable and non-auto-delete as Kazoo's, queues auto-delete by default,
 * both with no arguments, as the kazoo module declares them.
 */
public record SubscriptionSpec(String exchange, String type, String queue, List<String> routing, boolean exchangeDurable,
                               boolean exchangeAutoDelete, boolean passive, boolean queueDurable, boolean exclusive,
                               boolean queueAutoDelete, String eventKey, String eventSubkey, boolean federate,
                               String channel, int prefetch, List<ExchangeBinding> exchangeBindings,
                               boolean consistentWorker, String consistentWorkerKey) {

    /** exchange-bindings: a source exchange bound to this subscription's exchange (exchange.bind). */
    public record ExchangeBinding(String source, String type, List<String> routing) {
    }
    private static final ObjectMapper JSON = new ObjectMapper();

    public static SubscriptionSpec parse(String text) {
        String t = text.trim();
        if (t.startsWith("{")) {
            return parseJson(t);
        }
        String[] parts = t.split(":", 4);
        if (parts.length != 4 || parts[0].isBlank() || parts[2].isBlank()) {
            throw new IllegalArgumentException("--subscribe takes EXCHANGE:TYPE:QUEUE:ROUTING or a JSON object: " + text);
        }
        return new SubscriptionSpec(parts[0], type(parts[1]), parts[2], List.of(parts[3]), false, false, false, false,
                false, true, null, null, false, null, 50, List.of(), false, null);
    }

    private static SubscriptionSpec parseJson(String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("--subscribe JSON is not valid JSON: " + e.getMessage());
        }
        String exchange = n.path("exchange").asText("");
        String queue = n.path("queue").asText("");
        if (exchange.isBlank() || queue.isBlank()) {
            throw new IllegalArgumentException("--subscribe needs an exchange and a queue: " + text);
        }
        List<String> routing = new ArrayList<>();
        JsonNode r = n.path("routing");
        if (r.isArray()) {
            r.forEach(x -> routing.add(x.asText()));
        } else {
            routing.add(r.asText(""));
        }
        JsonNode ex = n.has("exchange-def") ? n.get("exchange-def") : n;
        JsonNode q = n.has("queue-def") ? n.get("queue-def") : n;
        int prefetch = n.path("prefetch").asInt(50);
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch must be at least 1");
        }
        // Every entry of exchange-bindings is applied (the kazoo module's parser keeps only the first).
        List<ExchangeBinding> bindings = new ArrayList<>();
        JsonNode eb = n.path("exchange-bindings");
        if (eb.isObject()) {
            eb.fields().forEachRemaining(e -> {
                List<String> keys = new ArrayList<>();
                JsonNode rk = e.getValue().path("routing");
                if (rk.isArray()) {
                    rk.forEach(x -> keys.add(x.asText()));
                } else {
                    keys.add(rk.asText(""));
                }
                bindings.add(new ExchangeBinding(e.getKey(), type(e.getValue().path("type").asText("topic")), List.copyOf(keys)));
            });
        } else if (!eb.isMissingNode()) {
            throw new IllegalArgumentException("exchange-bindings must be an object: " + text);
        }
        return new SubscriptionSpec(exchange, type(n.path("type").asText("topic")), queue, List.copyOf(routing),
                flag(ex, "durable", false), flag(ex, "auto_delete", false), flag(ex, "passive", false),
                flag(q, "durable", false), flag(q, "exclusive", false), flag(q, "auto_delete", true),
                n.path("event_key").asText(null), n.path("event_subkey").asText(null), flag(n, "federate", false),
                n.path("channel").asText(null), prefetch, List.copyOf(bindings), flag(n, "consistent-worker", false),
                n.path("consistent-worker-key").asText(null));
    }

    private static boolean flag(JsonNode node, String name, boolean dflt) {
        JsonNode v = node.get(name);
        return v == null ? dflt : v.isBoolean() ? v.asBoolean() : v.asInt(dflt ? 1 : 0) != 0;
    }

    private static String type(String t) {
        String kind = t.isBlank() ? "topic" : t.trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("topic", "direct", "fanout", "headers").contains(kind)) {
            throw new IllegalArgumentException("exchange type must be topic, direct, fanout or headers: " + t);
        }
        return kind;
    }
}
