package org.kdmq.gateway.api;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.kdmq.gateway.sip.message.SipRequest;

/**
 * The public API of a DMQ node, the only part of the gateway other modules (the bridge) use. It mirrors
 * the Kamailio dmq module's developer API: register_dmq_peer, bcast_message, send_message, t_replicate,
 * is_from_node.
 *
 * <p>Replies reach callbacks and futures on the gateway's own threads, a node's answer usually on the
 * network thread that read it: what runs there must not block. Hand blocking work to an executor of your
 * own ({@code thenAcceptAsync(action, executor)}).
 */
public interface Dmq {
    /** Default Max-Forwards for bcast/send, as Kamailio's config functions use. */
    int DEFAULT_MAX_FORWARDS = 1;

    /** This node's own entry. */
    NodeInfo self();

    /** A snapshot of the node list, newest first, the local node included. */
    List<NodeInfo> nodes();

    /**
     * Registers the handler of a channel.
     *
     * @throws IllegalStateException when the channel already has a handler
     * @throws IllegalArgumentException when the name is not a valid channel name
     */
    ChannelRegistration registerChannel(String channel, DispatchMode mode, ChannelHandler handler);

    /**
     * Sends a request on a channel to every active node except ourselves and {@code except}. The
     * callback gets one final reply per node (a local 408 or 503 when there was none).
     *
     * @return the nodes the request was sent to
     */
    default List<NodeAddress> bcast(String channel, byte[] body, String contentType, NodeAddress except, int maxForwards,
                                    Consumer<NodeReply> callback) {
        return bcast(channel, body, contentType, except, maxForwards, java.util.Map.of(), callback);
    }

    /** {@link #bcast} with metadata for our own nodes, sent as {@code X-KDMQ-Name} headers (Kamailio ignores them). */
    List<NodeAddress> bcast(String channel, byte[] body, String contentType, NodeAddress except, int maxForwards,
                            java.util.Map<String, String> meta, Consumer<NodeReply> callback);

    /** Sends a request on a channel to one node; completes with its final reply or a local 408/503. */
    default CompletableFuture<NodeReply> send(String channel, NodeAddress node, byte[] body, String contentType,
                                              int maxForwards) {
        return send(channel, node, body, contentType, maxForwards, java.util.Map.of());
    }

    /** {@link #send} with metadata, as for {@link #bcast}. Sending to {@link #self()} reaches our own handler. */
    CompletableFuture<NodeReply> send(String channel, NodeAddress node, byte[] body, String contentType,
                                      int maxForwards, java.util.Map<String, String> meta);

    /**
     * dmq_t_replicate: forwards a SIP request statefully to every active node except ourselves. Unless
     * {@code skipLoopTest}, a request that came from a node ({@link #isFromNode}) is not replicated.
     *
     * @return the replies, one per node; an empty list when nothing was sent
     */
    CompletableFuture<List<NodeReply>> replicate(SipRequest request, InetAddress source, boolean skipLoopTest);

    /** dmq_is_from_node: the source IP is that of a node in the list other than us. */
    boolean isFromNode(InetAddress source);

    /** Subscribes to node status changes (added: before null; removed: after null). */
    void addNodeListener(NodeListener listener);

    /**
     * Hears every channel message this node sends through the API ({@code target} null for a
     * broadcast), before it goes out: the bridge publishes what the node itself sends on a mirrored channel.
     */
    void addLocalSendListener(LocalSendListener listener);

    @FunctionalInterface
    interface LocalSendListener {
        void onLocalSend(String channel, byte[] body, String contentType, NodeAddress target, java.util.Map<String, String> meta);
    }

    /** Meta key our nodes set on unicasts ({@code X-KDMQ-Delivery: unicast}): a receiver can tell them from broadcasts. */
    String DELIVERY = "delivery";
    String UNICAST = "unicast";

    @FunctionalInterface
    interface NodeListener {
        void onNodeChange(NodeInfo before, NodeInfo after);
    }
}
