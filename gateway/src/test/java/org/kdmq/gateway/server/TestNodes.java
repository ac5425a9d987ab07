package org.kdmq.gateway.server;

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
import java.util.function.UnaryOperator;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.dmq.DmqSettings;
import org.kdmq.gateway.transport.Transport;

/** Starts real gateway nodes on 127.0.0.1 (UDP and TCP on one free port each) for tests. */
public final class TestNodes implements AutoCloseable {
    private final List<GatewayServer> servers = new ArrayList<>();

    /** A port free for both UDP and TCP right now. */
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

    /**
     * Starts a node; {@code notify} is the notification address URI or null. Fast timers: ping every
     * second, a request unanswered after a second is a local 408.
     */
    public GatewayServer start(Transport transport, String notify, UnaryOperator<DmqSettings.Builder> tune) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return startAt(freePort(), transport, notify, tune);
            } catch (BindException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    /** Starts a node on a given port (to restart one where it was). */
    public GatewayServer startAt(int port, Transport transport, String notify, UnaryOperator<DmqSettings.Builder> tune)
            throws IOException {
        {
            DmqSettings.Builder b = DmqSettings.builder(NodeAddress.of("127.0.0.1", port, transport))
                    .notificationAddresses(notify == null ? List.of() : List.of(notify))
                    .pingInterval(Duration.ofSeconds(1));
            GatewayConfig config = GatewayConfig.of(tune.apply(b).build())
                    .withTimers(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(1))
                    .withIoThreads(1);
            GatewayServer server = GatewayServer.start(config);
            servers.add(server);
            return server;
        }
    }

    public GatewayServer start(Transport transport, String notify) throws IOException {
        return start(transport, notify, b -> b);
    }

    public static String uriOf(GatewayServer server) {
        return server.config().dmq().serverAddress().toUriString();
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    @Override
    public void close() {
        servers.forEach(s -> {
            try {
                s.abort();
            } catch (RuntimeException ignored) {
                // already stopped
            }
        });
    }
}
