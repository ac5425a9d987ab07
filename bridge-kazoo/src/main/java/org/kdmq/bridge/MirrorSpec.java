package org.kdmq.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import org.kdmq.bridge.kazoo.RoutingKeyTemplate;

/**
 * A DMQ channel mirrored to an exchange: {@code CHANNEL=EXCHANGE[:TYPE]}, or the JSON form
 * {@code {"channel":..,"exchange":..,"type":..,"routing":"{Event-Category}.{Event-Name}",
 * "event_key":..,"event_subkey":..,"passive":false}} (kazoo_subscribe's field names where they mean
 * the same). Exchanges are declared as Kazoo declares them (non-durable, non-auto-delete, no
 * arguments) unless passive (owned by someone else: only checked). Messages are transient as Kazoo's
 * unless {@code "persistent":true} (delivery mode 2: with a durable queue they survive a broker restart).
 */
public record MirrorSpec(String channel, String exchange, String type, RoutingKeyTemplate routing, String eventKey,
                         String eventSubkey, boolean passive, boolean persistent) {
    private static final Set<String> TYPES = Set.of("topic", "direct", "fanout", "headers");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static MirrorSpec parse(String text) {
        String t = text.trim();
        if (t.startsWith("{")) {
            return parseJson(t);
        }
        int eq = t.indexOf('=');
        if (eq <= 0 || eq == t.length() - 1) {
            throw new IllegalArgumentException("--mirror takes CHANNEL=EXCHANGE[:TYPE] or a JSON object: " + text);
        }
        String channel = t.substring(0, eq).trim();
        String rest = t.substring(eq + 1).trim();
        int colon = rest.lastIndexOf(':');
        String exchange = colon < 0 ? rest : rest.substring(0, colon);
        String type = colon < 0 ? "topic" : rest.substring(colon + 1);
        return build(channel, exchange, type, RoutingKeyTemplate.DEFAULT, null, null, false, false);
    }

    private static MirrorSpec parseJson(String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("--mirror JSON is not valid JSON: " + e.getMessage());
        }
        return build(n.path("channel").asText(null), n.path("exchange").asText(null), n.path("type").asText("topic"),
                n.path("routing").asText(RoutingKeyTemplate.DEFAULT), n.path("event_key").asText(null),
                n.path("event_subkey").asText(null), n.path("passive").asBoolean(false),
                n.path("persistent").asBoolean(false));
    }

    private static MirrorSpec build(String channel, String exchange, String type, String routing, String eventKey,
                                    String eventSubkey, boolean passive, boolean persistent) {
        if (channel == null || channel.isBlank()) {
            throw new IllegalArgumentException("a mirror needs a channel");
        }
        if (exchange == null || exchange.isBlank()) {
            throw new IllegalArgumentException("mirror of channel " + channel + " needs an exchange");
        }
        String kind = type.toLowerCase(Locale.ROOT);
        if (!TYPES.contains(kind)) {
            throw new IllegalArgumentException("exchange type must be topic, direct, fanout or headers: " + type);
        }
        String template = routing;
        if (eventKey != null || eventSubkey != null) {
            if (RoutingKeyTemplate.DEFAULT.equals(routing)) {
                template = "{" + (eventKey != null ? eventKey : "Event-Category") + "}.{"
                        + (eventSubkey != null ? eventSubkey : "Event-Name") + "}";
            }
        }
        return new MirrorSpec(channel.trim(), exchange.trim(), kind, RoutingKeyTemplate.parse(template), eventKey,
                eventSubkey, passive, persistent);
    }
}
