package org.kdmq.bridge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.Dmq;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which nodes of the DMQ cluster run a bridge, and which one of them publishes a given message.
 *
 * <p>Every bridge answers 200 on the control channel {@value #CHANNEL}; Kamailio and bridge-less
 * gateways answer 404. A bridge says hello to each node that becomes active, and learns of every
 * bridge that says hello to it. The live bridges are those that answered and are active in the node
 * list. A message's publisher is chosen by rendezvous (highest random weight) hashing of the message
 * key over the live bridges: every bridge computes the same owner, the owner's share moves to the others
 * as soon as the node list marks it inactive, and only that share moves.
 */
public final class BridgePeers {
    public static final String CHANNEL = "kdmq_bridge";
    private static final Logger LOG = LoggerFactory.getLogger(BridgePeers.class);

    private final Dmq dmq;
    private final NodeAddress self;
    private final Set<NodeAddress> bridges = ConcurrentHashMap.newKeySet();
    private volatile Consumer<NodeAddress> onBridgeLost = a -> { };

    BridgePeers(Dmq dmq) {
        this.dmq = dmq;
        this.self = dmq.self().address();
    }

    /** Registers the control channel and starts greeting nodes as they become active. */
    org.kdmq.gateway.api.ChannelRegistration start() {
        org.kdmq.gateway.api.ChannelRegistration registration = dmq.registerChannel(CHANNEL, DispatchMode.PROCESS, m -> {
            if (m.sender() != null) {
                if (bridges.add(m.sender().address())) {
                    LOG.info("event=bridge_peer_found peer={}", m.sender().address());
                }
            }
            return CompletableFuture.completedFuture(DmqResponse.ok());
        });
        dmq.addNodeListener((before, after) -> {
            if (after != null && after.isActive() && !after.local() && (before == null || !before.isActive())) {
                greet(after.address());
            } else if (before != null && before.isActive() && (after == null || !after.isActive())
                    && bridges.contains(before.address())) {
                onBridgeLost.accept(before.address());
            }
            if (after == null && before != null) {
                bridges.remove(before.address());
            }
        });
        for (NodeInfo n : dmq.nodes()) {
            if (!n.local() && n.isActive()) {
                greet(n.address());
            }
        }
        return registration;
    }

    /** Called when a live bridge stops being active (its share of messages moves to the others). */
    void onBridgeLost(Consumer<NodeAddress> listener) {
        this.onBridgeLost = listener;
    }

    private void greet(NodeAddress node) {
        dmq.send(CHANNEL, node, new byte[0], "text/plain", 1).thenAccept(reply -> {
            if (reply.isSuccess() && bridges.add(node)) {
                LOG.info("event=bridge_peer_found peer={}", node);
            }
        });
    }

    /** This node and every known bridge the node list has active, in a stable order. */
    Set<NodeAddress> live() {
        Set<NodeAddress> out = new TreeSet<>((a, b) -> a.toUriString().compareTo(b.toUriString()));
        out.add(self);
        for (NodeInfo n : dmq.nodes()) {
            if (!n.local() && n.isActive() && bridges.contains(n.address())) {
                out.add(n.address());
            }
        }
        return out;
    }

    /** The bridge that publishes a message with this key: the same answer on every bridge. */
    NodeAddress owner(byte[] key) {
        return owner(key, live());
    }

    /** Whether no other bridge is live: then every message is ours, no hashing needed. */
    boolean alone() {
        if (bridges.isEmpty()) {
            return true; // no other bridge ever answered: no node list copy per message
        }
        for (NodeInfo n : dmq.nodes()) {
            if (!n.local() && n.isActive() && bridges.contains(n.address())) {
                return false;
            }
        }
        return true;
    }

    static NodeAddress owner(byte[] key, Set<NodeAddress> candidates) {
        NodeAddress best = null;
        long bestWeight = Long.MIN_VALUE;
        for (NodeAddress candidate : candidates) {
            long w = weight(candidate, key);
            if (best == null || w > bestWeight) {
                best = candidate;
                bestWeight = w;
            }
        }
        return best;
    }

    boolean isSelf(NodeAddress node) {
        return self.equals(node);
    }

    /** getInstance looks the provider up on every call: one digest per thread instead. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private static long weight(NodeAddress node, byte[] key) {
        MessageDigest d = SHA256.get();
        d.reset();
        d.update(node.toUriString().getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(key);
        byte[] h = d.digest();
        long w = 0;
        for (int i = 0; i < 8; i++) {
            w = (w << 8) | (h[i] & 0xff);
        }
        return w;
    }
}
