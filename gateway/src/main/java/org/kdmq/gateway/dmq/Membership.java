package org.kdmq.gateway.dmq;

import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.kdmq.gateway.api.DmqMessage;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.api.NodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster membership on the notification channel, as Kamailio's notification_peer.c does it: join
 * through the notification addresses, answer notifications with our list, re-broadcast lists that
 * brought news while Max-Forwards allows, ping every node, and mark or remove nodes that stop answering.
 */
final class Membership {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
    /** Max-Forwards of the first request to a notification address, as Kamailio's request_nodelist. */
    static final int JOIN_MAX_FORWARDS = 2;
    static final int PING_MAX_FORWARDS = 1;

    private final KdmqNode node;
    private final DmqSettings settings;
    private final NodeList nodeList;
    private final HostResolver resolver;
    private final Clock clock;
    private final NotificationAddresses notificationAddresses;
    private volatile boolean heardFromCluster;

    Membership(KdmqNode node, DmqSettings settings, NodeList nodeList, HostResolver resolver, Clock clock) {
        this.node = node;
        this.settings = settings;
        this.nodeList = nodeList;
        this.resolver = resolver;
        this.clock = clock;
        this.notificationAddresses = new NotificationAddresses(settings, resolver);
    }

    /** add_server_and_notify: list the notification addresses, then send our list to every node. */
    void join() {
        for (NodeAddress address : notificationAddresses.resolve()) {
            nodeList.addNotificationAddress(address, resolver.resolveQuietly(address.hostForSocket()));
        }
        if (nodeList.isAlone()) {
            LOG.info("event=alone node={} reason=no_other_notification_address", settings.serverAddress());
            return;
        }
        sendListTo(nodeList.remotes(n -> true), JOIN_MAX_FORWARDS);
    }

    /** ping_servers: re-join when alone, else our list to every other node, inactive ones included. */
    void ping() {
        if (nodeList.isAlone()) {
            join();
            return;
        }
        sendListTo(nodeList.remotes(n -> true), PING_MAX_FORWARDS);
    }

    /**
     * A leaving node's last word, as Kamailio's dmq destroy() says it: our list with our own line set to
     * disabled, to every other node (inactive ones too), Max-Forwards 1. Receivers (Kamailio 5.6, 6.x and
     * ours) mark us disabled and drop us when their next ping goes unanswered.
     */
    CompletableFuture<Void> leave() {
        List<NodeListBody.Line> lines = new ArrayList<>();
        for (NodeListBody.Line line : nodeList.notificationLines()) {
            boolean self = line.address().equals(settings.serverAddress());
            lines.add(self ? new NodeListBody.Line(line.address(), NodeStatus.DISABLED) : line);
        }
        byte[] body = NodeListBody.format(lines);
        List<CompletableFuture<NodeReply>> replies = new ArrayList<>();
        for (NodeInfo target : nodeList.remotes(n -> true)) {
            replies.add(node.sendTo(settings.notificationChannel(), target.address(), body, NodeListBody.CONTENT_TYPE,
                    PING_MAX_FORWARDS, KdmqNode.Traffic.APPLICATION));
        }
        LOG.info("event=leaving node={} told={}", settings.serverAddress(), replies.size());
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new));
    }

    /** dmq_notification_callback_f: merge the list, answer with ours, spread news while MF allows. */
    CompletionStage<DmqResponse> onNotification(DmqMessage message) {
        List<NodeListBody.Line> lines;
        try {
            // The message size limit bounds the line count; the node limit is checked below (503).
            lines = NodeListBody.parse(message.body(), Integer.MAX_VALUE);
        } catch (MalformedNodeListException e) {
            node.stats().malformedNodeList();
            LOG.warn("event=malformed_node_list node={} source={} call_id={} reason=\"{}\"", settings.serverAddress(),
                    message.source(), message.callId(), e.getMessage());
            return CompletableFuture.completedFuture(DmqResponse.error(400, e.getMessage()));
        }
        if (lines.size() > settings.maxNodes()) {
            return CompletableFuture.completedFuture(DmqResponse.error(503,
                    "Service Unavailable (node list longer than max_nodes " + settings.maxNodes() + ")"));
        }
        NodeAddress sender = message.sender() != null ? message.sender().address() : null;
        int changed = merge(lines, sender);
        if (sender != null) {
            heardFromCluster = true;
        }
        if (sender != null && saysActive(lines, sender)) {
            // It just spoke to us, and says it is up: as good as an answer to a ping.
            nodeList.onAnswered(sender);
        }
        byte[] ourList = NodeListBody.format(nodeList.notificationLines());
        int forward = message.maxForwards() - 1;
        if (changed > 0 && forward > 0) {
            sendListTo(nodeList.remotes(NodeInfo::isActive), forward, ourList);
        }
        return CompletableFuture.completedFuture(DmqResponse.ok(ourList, NodeListBody.CONTENT_TYPE));
    }

    /** notification_resp_callback_f for membership traffic; default_resp_callback_f for the rest. */
    void onReply(NodeReply reply, KdmqNode.Traffic traffic, String callId) {
        boolean unreachable = reply.local() && (reply.statusCode() == 408 || reply.statusCode() == 503);
        if (traffic == KdmqNode.Traffic.MEMBERSHIP) {
            if (reply.statusCode() == 200) {
                heardFromCluster = true;
                nodeList.onAnswered(reply.node());
                mergeReplyBody(reply, callId);
            } else if (unreachable) {
                // Kamailio reacts to its local 408; an unreachable TCP/TLS node (503) is just as dead.
                LOG.info("event=node_not_answering node={} peer={} status={} reason=\"{}\"", settings.serverAddress(),
                        reply.node(), reply.statusCode(), reply.reason());
                nodeList.onTimeout(reply.node());
            }
        } else if (unreachable && settings.policy().failCountEnabled()) {
            nodeList.find(reply.node(), false).filter(NodeInfo::isActive).ifPresent(n -> nodeList.onTimeout(n.address()));
        }
    }

    /** Whether another node has answered our membership requests or notified us. */
    boolean heardFromCluster() {
        return heardFromCluster;
    }

    /** Whether a source IP belongs to a listed node or a notification address (optional security). */
    boolean isKnownSource(InetAddress source) {
        return nodeList.isFromNode(source) || notificationAddresses.resolvedIps().contains(source);
    }

    private void mergeReplyBody(NodeReply reply, String callId) {
        if (reply.body() == null || reply.body().length == 0) {
            return;
        }
        try {
            merge(NodeListBody.parse(reply.body(), settings.maxNodes()), reply.node());
        } catch (MalformedNodeListException e) {
            node.stats().malformedNodeList();
            LOG.warn("event=malformed_node_list_reply node={} peer={} call_id={} reason=\"{}\"",
                    settings.serverAddress(), reply.node(), callId, e.getMessage());
        }
    }

    private int merge(List<NodeListBody.Line> lines, NodeAddress sender) {
        Map<NodeAddress, InetAddress> resolved = new HashMap<>();
        for (NodeListBody.Line line : lines) {
            if (!resolved.containsKey(line.address()) && nodeList.find(line.address(), true).isEmpty()) {
                resolved.put(line.address(), resolver.resolveQuietly(line.address().hostForSocket()));
            }
        }
        return nodeList.merge(lines, resolved::get, sender, clock.instant().getEpochSecond());
    }

    private void sendListTo(List<NodeInfo> targets, int maxForwards) {
        sendListTo(targets, maxForwards, NodeListBody.format(nodeList.notificationLines()));
    }

    private void sendListTo(List<NodeInfo> targets, int maxForwards, byte[] body) {
        for (NodeInfo target : targets) {
            node.sendTo(settings.notificationChannel(), target.address(), body, NodeListBody.CONTENT_TYPE, maxForwards,
                    KdmqNode.Traffic.MEMBERSHIP);
        }
    }

    private static boolean saysActive(List<NodeListBody.Line> lines, NodeAddress sender) {
        for (NodeListBody.Line line : lines) {
            if (line.address().equals(sender)) {
                return line.status() == null || line.status() == NodeStatus.ACTIVE;
            }
        }
        return false;
    }
}
