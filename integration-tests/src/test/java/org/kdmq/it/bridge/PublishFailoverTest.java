package org.kdmq.it.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.it.OurNodes.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.kdmq.bridge.KazooBridgeTestAccess;
import org.kdmq.bridge.amqp.TestBroker;
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.transport.Transport;
import org.kdmq.it.OurNodes;

/**
 * Two primary-zone servers: publishing uses the first; when it is gone for good, the second takes over
 * and nothing is lost. The "first server" is a TCP proxy in front of the test broker that the test kills.
 */
class PublishFailoverTest {

    /** A TCP relay to the broker that can be cut, connections and all. */
    static final class Relay implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Relay(String host, int port) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket in = server.accept();
                        Socket out = new Socket(host, port);
                        sockets.add(in);
                        sockets.add(out);
                        pipe(in, out);
                        pipe(out, in);
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "relay-accept");
            accept.setDaemon(true);
            accept.start();
        }

        private static void pipe(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16384];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        out.write(buf, 0, n);
                    }
                } catch (IOException ignored) {
                    // cut
                }
            }, "relay-pipe");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void publishingMovesToTheNextServerWhenTheFirstIsGone() throws Exception {
        URI broker = TestBroker.uri();
        String userInfo = broker.getUserInfo() == null ? "guest:guest" : broker.getUserInfo();
        String id = UUID.randomUUID().toString();
        String exchange = "kdmq.failover." + id;
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker);
        try (OurNodes ours = new OurNodes(); Relay relay = new Relay(broker.getHost(), broker.getPort() > 0 ? broker.getPort() : 5672);
             Connection check = f.newConnection("kdmq-it-check")) {
            Channel ch = check.createChannel();
            ch.exchangeDeclare(exchange, "topic", false, false, null);
            String queue = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(queue, exchange, "#");

            GatewayServer sender = ours.start(Transport.UDP, null);
            GatewayServer bridge = ours.start(Transport.UDP, sender.config().dmq().serverAddress().toUriString());
            String first = "amqp://" + userInfo + "@127.0.0.1:" + relay.port();
            KazooBridgeTestAccess.start(bridge, List.of(first, broker.toString()), List.of("mychannel=" + exchange + ":topic"));
            await("joined", Duration.ofSeconds(20), () -> sender.dmq().nodes().size() == 2);
            await("publishing through the first server", Duration.ofSeconds(20), () -> relay.sockets.size() >= 2);

            ConcurrentLinkedQueue<NodeReply> replies = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < 100; i++) {
                if (i == 50) {
                    relay.close(); // the first server is gone, and stays gone
                }
                String body = "{\"Event-Category\":\"f\",\"Event-Name\":\"n\",\"n\":" + i + "}";
                sender.dmq().bcast("mychannel", body.getBytes(StandardCharsets.UTF_8), "application/json", null, 1, replies::add);
            }
            await("all answered", Duration.ofSeconds(60), () -> replies.size() == 100);
            Set<Integer> seen = new HashSet<>();
            ObjectMapper json = new ObjectMapper();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < 100 && System.nanoTime() < deadline) {
                GetResponse r = ch.basicGet(queue, true);
                if (r == null) {
                    java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                } else {
                    seen.add(json.readTree(r.getBody()).get("n").asInt());
                }
            }
            assertEquals(100, seen.size(), "every message published, before and after the failover");
            assertTrue(replies.stream().filter(r -> r.statusCode() == 200).count() >= 50);
            ch.exchangeDelete(exchange);
        }
    }
}
