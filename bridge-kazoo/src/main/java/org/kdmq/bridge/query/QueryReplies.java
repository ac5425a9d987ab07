package org.kdmq.bridge.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.kdmq.bridge.kazoo.KazooEnvelope;
import org.kdmq.gateway.api.NodeReply;

/**
 * The JSON object an AMQP requester gets back; the same in both reply conventions. Every reply echoes
 * the request's {@code Msg-ID} (what Kazoo and Kamailio match on) and carries the envelope fields.
 * <ul>
 * <li>success: the DMQ reply body's fields when it is a JSON object (a text body as {@code Body} with
 * {@code Content-Type}), plus {@code KDMQ-Node} and {@code KDMQ-Status};
 * <li>all replies collected: {@code Replies}, a list of {@code {Node, Status, Reason, Reply | Body}};
 * <li>error: {@code Event-Category: error}, {@code Error-Message}, and {@code SIP-Status} /
 * {@code SIP-Reason} when a node answered with an error.
 * </ul>
 * Event-Category and Event-Name are the request's unless the reply has its own.
 */
public final class QueryReplies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QueryReplies() {
    }

    public static ObjectNode success(JsonNode request, NodeReply reply, KazooEnvelope.Identity who) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode body = KazooEnvelope.asObject(reply.body());
        if (body != null) {
            out.setAll(body);
        } else {
            putBody(out, reply);
        }
        out.put("KDMQ-Node", reply.node().toUriString());
        out.put("KDMQ-Status", reply.statusCode());
        return finish(out, request, who);
    }

    public static ObjectNode collected(JsonNode request, List<NodeReply> replies, KazooEnvelope.Identity who) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("Replies");
        for (NodeReply r : replies) {
            ObjectNode item = list.addObject();
            item.put("Node", r.node().toUriString());
            item.put("Status", r.statusCode());
            item.put("Reason", r.reason());
            ObjectNode body = KazooEnvelope.asObject(r.body());
            if (body != null) {
                item.set("Reply", body);
            } else {
                putBody(item, r);
            }
        }
        return finish(out, request, who);
    }

    /** An error reply; {@code sipStatus} is 0 when no node answered (timeout, bad request, no node). */
    public static ObjectNode error(JsonNode request, String message, int sipStatus, String sipReason,
                                   KazooEnvelope.Identity who) {
        ObjectNode out = JSON.createObjectNode();
        out.put("Event-Category", "error");
        String name = request == null ? "" : request.path("Event-Name").asText("");
        out.put("Event-Name", name.isEmpty() ? "query" : name);
        out.put("Error-Message", message);
        if (sipStatus > 0) {
            out.put("SIP-Status", sipStatus);
            out.put("SIP-Reason", sipReason);
        }
        return finish(out, request, who);
    }

    private static void putBody(ObjectNode out, NodeReply reply) {
        if (reply.body() != null && reply.body().length > 0) {
            out.put("Body", reply.bodyAsString());
            out.put("Content-Type", reply.contentType() == null ? "" : reply.contentType());
        }
    }

    private static ObjectNode finish(ObjectNode out, JsonNode request, KazooEnvelope.Identity who) {
        if (request != null) {
            copyIfAbsent(out, request, "Event-Category");
            copyIfAbsent(out, request, "Event-Name");
            JsonNode msgId = request.get("Msg-ID");
            if (msgId != null && !msgId.isNull()) {
                out.set("Msg-ID", msgId); // always the request's: it is what the requester matches on
            }
        }
        // The envelope never replaces a field the reply has (Msg-ID is set above when the request had one).
        return KazooEnvelope.withEnvelope(out, who);
    }

    private static void copyIfAbsent(ObjectNode out, JsonNode request, String field) {
        if (!out.hasNonNull(field) && request.hasNonNull(field)) {
            out.set(field, request.get(field));
        }
    }
}
