package org.kdmq.bridge;

import java.util.List;
import org.kdmq.gateway.server.GatewayServer;

/** Starts a bridge inside a gateway from tests, as the CLI would from flags. */
public final class KazooBridgeTestAccess {
    private KazooBridgeTestAccess() {
    }

    public static KazooBridge start(GatewayServer server, List<String> connections, List<String> mirrors) throws Exception {
        return start(server, connections, mirrors, List.of(), List.of());
    }

    public static KazooBridge start(GatewayServer server, List<String> connections, List<String> mirrors,
                                    List<String> subscriptions, List<String> routes) throws Exception {
        return start(server, connections, mirrors, subscriptions, routes, List.of(), List.of(), 2000);
    }

    /** With queries: {@code --query-route}, {@code --query-channel} and {@code --amqp-query-timeout}. */
    public static KazooBridge start(GatewayServer server, List<String> connections, List<String> mirrors,
                                    List<String> subscriptions, List<String> routes, List<String> queryRoutes,
                                    List<String> queryChannels, long queryTimeoutMs) throws Exception {
        BridgeOptions options = new BridgeOptions();
        options.queryRoutes = queryRoutes;
        options.queryChannels = queryChannels;
        options.queryTimeoutMs = queryTimeoutMs;
        options.subscriptions = subscriptions;
        options.routes = routes;
        options.connections = connections;
        options.mirrors = mirrors;
        options.primaryZone = "local";
        options.heartbeatSeconds = 5;
        options.maxOutstanding = 1000;
        options.publishBuffer = 10_000;
        KazooBridge bridge = new KazooBridge(options);
        bridge.validate();
        server.startExtension(bridge);
        return bridge;
    }
}
