package org.kdmq.bridge.kazoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The JSON a mirrored DMQ message becomes on AMQP. A JSON-object body goes out as it is, with the
 * Kazoo envelope fields added only where absent: App-Name, App-Version, Node, Msg-ID (a UUID, as the
 * kazoo module makes them) and Server-ID (this node's targeted queue). Any other body is wrapped:
 *
 * <pre>{"Event-Category":"dmq","Event-Name":"CHANNEL","Channel":"CHANNEL","Sender":"sip:...",
 *  "Content-Type":"text/plain","Body":"the body as text", ...envelope fields}</pre>
 */
public final class KazooEnvelope {
    public static final String APP_NAME = "kdmq-gateway";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who we are on the bus. */
    public record Identity(String appVersion, String node, String serverId) {
        /**
         * An identity whose Server-ID is a targeted queue of its own: {@code NODE-[LABEL-]RANDOM-targeted}.
         * The random part keeps two requesters on one host from sharing (and stealing) replies.
         */
        public static Identity withTargetedQueue(String appVersion, String node, String label) {
            String token = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 32);
            return new Identity(appVersion, node, node + "-" + (label == null ? "" : label + "-") + token + "-targeted");
        }
    }

    private KazooEnvelope() {
    }

    /** The payload to publish; never fails: a body that is not a JSON object is wrapped. */
    public static ObjectNode build(byte[] body, String contentType, String channel, String sender, Identity who) {
        ObjectNode payload = asObject(body);
        if (payload == null) {
            payload = JSON.createObjectNode();
            payload.put("Event-Category", "dmq");
            payload.put("Event-Name", channel);
            payload.put("Channel", channel);
            if (sender != null) {
                payload.put("Sender", sender);
            }
            payload.put("Content-Type", contentType == null ? "" : contentType);
            payload.put("Body", new String(body, StandardCharsets.UTF_8));
        }
        return withEnvelope(payload, who);
    }

    /** Adds App-Name, App-Version, Node, Msg-ID (a new UUID) and Server-ID where the payload has none. */
    public static ObjectNode withEnvelope(ObjectNode payload, Identity who) {
        putIfAbsent(payload, "App-Name", APP_NAME);
        putIfAbsent(payload, "App-Version", who.appVersion());
        putIfAbsent(payload, "Node", who.node());
        putIfAbsent(payload, "Msg-ID", newMsgId());
        putIfAbsent(payload, "Server-ID", who.serverId());
        return payload;
    }

    /**
     * A new Msg-ID: a random (version 4) UUID, as the kazoo module makes them, drawn from
     * ThreadLocalRandom. A Msg-ID correlates a reply with its request and guards nothing (whoever can
     * publish a reply can read the request), and SecureRandom's lock and reseeding were 1 % of a
     * bridge's CPU at 20k messages/s.
     */
    public static String newMsgId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong() & ~0xF000L | 0x4000L; // version 4
        long low = random.nextLong() & ~(3L << 62) | 1L << 63; // IETF variant
        return new UUID(high, low).toString();
    }

    /** The body as a JSON object, or null when it is not one. */
    public static ObjectNode asObject(byte[] body) {
        if (!startsLikeAnObject(body)) {
            return null; // not worth a parser exception per message (text bodies are common on DMQ)
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node instanceof ObjectNode object ? object : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean startsLikeAnObject(byte[] body) {
        for (byte b : body) {
            if (b == '{') {
                return true;
            }
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return false;
    }

    private static void putIfAbsent(ObjectNode payload, String field, String value) {
        JsonNode existing = payload.get(field);
        if ((existing == null || existing.isNull() || existing.asText().isEmpty()) && value != null) {
            payload.put(field, value);
        }
    }
}
