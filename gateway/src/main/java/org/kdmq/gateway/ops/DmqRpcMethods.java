package org.kdmq.gateway.ops;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.api.NodeStatus;
import org.kdmq.gateway.dmq.KdmqMessages;
import org.kdmq.gateway.dmq.KdmqNode;

/**
 * The dmq.* RPC methods with Kamailio's names, parameter order and result shapes (dmq.c:
 * dmq_rpc_list_nodes, rpc_dmq_remove; 6.x dmq.add, dmq.change_status), plus dmq.send / dmq.bcast
 * (the script functions' parameters) and core.version.
 */
public final class DmqRpcMethods {
    private DmqRpcMethods() {
    }

    public static void registerAll(JsonRpcDispatcher rpc, KdmqNode node) {
        rpc.register("core.version", method(List.of(), p -> KdmqMessages.userAgent()));
        rpc.register("dmq.list_nodes", method(List.of(), p -> listNodes(node)));
        rpc.register("dmq.remove", method(List.of("address"), p -> {
            NodeAddress address = parseAddress(p.string("address"));
            if (!node.nodeList().remove(address)) {
                throw new RpcException(RpcException.FAILURE, "Failure (no such node, or it is the local node)");
            }
            return "Ok. DMQ node removed.";
        }));
        rpc.register("dmq.add", method(List.of("address"), p -> {
            NodeAddress address = parseAddress(p.string("address"));
            java.net.InetAddress ip = resolve(address);
            if (!node.nodeList().add(address, ip, NodeStatus.ACTIVE)) {
                throw new RpcException(RpcException.FAILURE, "Failure (node already listed, or the list is full)");
            }
            return "Ok. DMQ node added.";
        }));
        rpc.register("dmq.change_status", method(List.of("address", "status"), p -> {
            NodeAddress address = parseAddress(p.string("address"));
            NodeStatus status = NodeStatus.fromWireName(p.string("status"));
            if (status == null) {
                throw RpcException.invalidParams("status must be active, not_active or disabled");
            }
            if (!node.nodeList().changeStatus(address, status)) {
                throw new RpcException(RpcException.FAILURE, "Failure (no such node, or it is the local node)");
            }
            return "Ok. DMQ node status changed.";
        }));
        rpc.register("dmq.send", new RpcMethod() {
            @Override
            public List<String> parameterNames() {
                return List.of("channel", "node", "body", "content_type");
            }

            @Override
            public CompletionStage<Object> call(RpcParams p) {
                NodeAddress target = parseAddress(p.string("node"));
                return node.send(p.string("channel"), target, bytes(p.optionalString("body")), contentType(p),
                        org.kdmq.gateway.api.Dmq.DEFAULT_MAX_FORWARDS).thenApply(DmqRpcMethods::reply);
            }
        });
        rpc.register("dmq.bcast", new RpcMethod() {
            @Override
            public List<String> parameterNames() {
                return List.of("channel", "body", "content_type");
            }

            @Override
            public CompletionStage<Object> call(RpcParams p) {
                Map<NodeAddress, CompletableFuture<NodeReply>> replies = new java.util.concurrent.ConcurrentHashMap<>();
                List<NodeAddress> sentTo = node.bcast(p.string("channel"), bytes(p.optionalString("body")), contentType(p),
                        null, org.kdmq.gateway.api.Dmq.DEFAULT_MAX_FORWARDS,
                        r -> replies.computeIfAbsent(r.node(), k -> new CompletableFuture<>()).complete(r));
                List<CompletableFuture<NodeReply>> pending = sentTo.stream()
                        .map(a -> replies.computeIfAbsent(a, k -> new CompletableFuture<>())).toList();
                return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                        .thenApply(v -> pending.stream().map(f -> reply(f.join())).toList());
            }
        });
    }

    static List<Map<String, Object>> listNodes(KdmqNode node) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (NodeInfo n : node.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("host", n.address().host());
            m.put("port", Integer.toString(n.address().port()));
            m.put("proto", n.address().protoForRpc());
            m.put("resolved_ip", n.resolvedIpText());
            m.put("status", n.status().wireName());
            m.put("last_notification", n.lastNotification());
            m.put("local", n.local() ? 1 : 0);
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> reply(NodeReply r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", r.node().toUriString());
        m.put("code", r.statusCode());
        m.put("reason", r.reason());
        m.put("local", r.local());
        if (r.body() != null && r.body().length > 0) {
            m.put("body", r.bodyAsString());
            m.put("content_type", r.contentType());
        }
        return m;
    }

    private static String contentType(RpcParams p) {
        String ct = p.optionalString("content_type");
        return ct == null || ct.isBlank() ? "text/plain" : ct;
    }

    private static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    private static NodeAddress parseAddress(String uri) {
        try {
            return NodeAddress.parse(uri);
        } catch (RuntimeException e) {
            throw RpcException.invalidParams("not a node URI: " + uri + " (" + e.getMessage() + ")");
        }
    }

    private static java.net.InetAddress resolve(NodeAddress address) {
        try {
            return java.net.InetAddress.getByName(address.hostForSocket());
        } catch (java.net.UnknownHostException e) {
            throw new RpcException(RpcException.FAILURE, "Failure (cannot resolve " + address.host() + ")");
        }
    }

    private static RpcMethod method(List<String> names, Function<RpcParams, Object> body) {
        return new RpcMethod() {
            @Override
            public List<String> parameterNames() {
                return names;
            }

            @Override
            public CompletionStage<Object> call(RpcParams params) {
                return CompletableFuture.completedFuture(body.apply(params));
            }
        };
    }
}
