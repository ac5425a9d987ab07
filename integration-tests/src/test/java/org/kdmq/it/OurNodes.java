package org.kdmq.it;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.dmq.DmqSettings;
import org.kdmq.gateway.server.GatewayConfig;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.transport.Transport;

/** Our gateway nodes on 127.0.0.1 for integration tests, with fast pings and a 2 s request timeout. */
public final class OurNodes implements AutoCloseable {
    private final List<GatewayServer> servers = new ArrayList<>();

    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                    return port;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free port");
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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
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
