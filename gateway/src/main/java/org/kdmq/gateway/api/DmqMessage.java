package org.kdmq.gateway.api;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.kdmq.gateway.transport.Transport;

/**
 * A KDMQ request as a channel handler sees it.
 *
 * @param sender the node-list entry the request came from (matched by the From URI host/port, then by
 *               source address), or null for a stranger
 * @param source where the request came from on the network
 * @param acceptsReplyBody whether the requester can take a body in our 200 (only our own nodes can;
 *                         Kamailio 5.6 would read it as a node list, see the README)
 * @param meta             what our nodes attach as {@code X-KDMQ-Name: value} headers (names lower-cased),
 *                         e.g. origin=amqp on messages a bridge consumed; empty from Kamailio
 */
public record DmqMessage(String channel, byte[] body, String contentType, NodeInfo sender,
                         InetSocketAddress source, Transport transport, int maxForwards, String callId,
                         boolean acceptsReplyBody, java.util.Map<String, String> meta) {
    public DmqMessage {
        meta = meta == null ? java.util.Map.of() : java.util.Map.copyOf(meta);
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
