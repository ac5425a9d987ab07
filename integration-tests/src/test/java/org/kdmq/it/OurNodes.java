package org.kdmq.it;

import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.dmq.DmqSettings;
import org.kdmq.gateway.server.GatewayConfig;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.server.TestNodes;
import org.kdmq.gateway.transport.Transport;

/** Our gateway nodes on 127.0.0.1 for integration tests, with fast pings and a 2 s request timeout. */
public final class OurNodes implements AutoCloseable {
    private final List<GatewayServer> servers = new ArrayList<>();

    /** A port free for both UDP and TCP right now. */
    public static int freePort() throws IOException {
        return TestNodes.freePort();
    }

    public GatewayServer start(Transport transport, String notify) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return startAt(freePort(), transport, notify);
            } catch (BindException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    public GatewayServer startAt(int port, Transport transport, String notify) throws IOException {
        DmqSettings dmq = DmqSettings.builder(NodeAddress.of("127.0.0.1", port, transport))
                .notificationAddresses(notify == null ? List.of() : List.of(notify))
                .pingInterval(Duration.ofSeconds(1))
                .build();
        GatewayServer server = GatewayServer.start(GatewayConfig.of(dmq)
                .withTimers(Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(2)).withIoThreads(1));
        servers.add(server);
        return server;
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        TestNodes.await(what, timeout, condition);
    }

    @Override
    public void close() {
        for (GatewayServer s : servers) {
            try {
                s.abort();
            } catch (RuntimeException ignored) {
                // already stopped
            }
        }
    }
}
