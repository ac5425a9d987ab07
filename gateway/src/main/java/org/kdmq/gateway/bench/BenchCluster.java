package org.kdmq.gateway.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.Dmq;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.dmq.DmqSettings;
import org.kdmq.gateway.server.GatewayConfig;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.transport.Transport;

/**
 * The nodes a bench runs on: our in-process sender nodes (one per connection), joined to in-process
 * receiver nodes or to a running cluster. Every node we start answers 200 on the bench channel: the
 * receivers because that is what is measured, the senders because they are cluster members too and
 * each other's broadcasts reach them.
 */
final class BenchCluster implements AutoCloseable {
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(1);

    private final List<GatewayServer> receivers = new ArrayList<>();
    private final List<GatewayServer> senders = new ArrayList<>();
    private final TlsMaterial tls;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Receivers answer with the request's body (query mode), else with an empty 200. */
    private final boolean echo;

    private BenchCluster(TlsMaterial tls, boolean echo) {
        this.tls = tls;
        this.echo = echo;
    }

    /** Starts the nodes and waits until every sender sees the cluster. */
    static BenchCluster start(BenchConfig config, PrintWriter log)
            throws IOException, InterruptedException, TimeoutException {
        TlsMaterial tls = config.transport() == Transport.TLS ? TlsMaterial.selfSigned() : null;
        BenchCluster cluster = new BenchCluster(tls, config.mode() == BenchMode.QUERY);
        try {
            String notify;
            if (config.cluster() != null) {
                notify = config.cluster().toUriString();
            } else {
                for (int i = 0; i < config.inProcess(); i++) {
                    String first = cluster.receivers.isEmpty() ? null : uriOf(cluster.receivers.get(0));
                    cluster.receivers.add(cluster.startNode("127.0.0.1", 0, config.transport(), first, config.channel()));
                }
                notify = uriOf(cluster.receivers.get(0));
            }
            for (int i = 0; i < config.connections(); i++) {
                int port = config.bindPort() == 0 ? 0 : config.bindPort() + i;
                cluster.senders.add(
                        cluster.startNode(config.bindHost(), port, config.transport(), notify, config.channel()));
            }
            cluster.awaitMembership(config.cluster() == null);
            log.printf("bench: %d sender node(s) %s see %d target node(s) over %s%n", cluster.senders.size(),
                    cluster.senders.stream().map(BenchCluster::uriOf).toList(), cluster.targetCount(),
                    config.transport().uriParam());
            return cluster;
        } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    List<Dmq> senders() {
        return senders.stream().map(GatewayServer::dmq).toList();
    }

    /** The senders' retransmissions and shed requests, and the in-process receivers' absorbed repeats. */
    BenchReport.NodeCounters counters() {
        long retransmitted = 0;
        long shed = 0;
        for (GatewayServer s : senders) {
            retransmitted += s.transactions().stats().retransmissions();
            shed += s.node().stats().requestsShed();
        }
        long absorbed = 0;
        for (GatewayServer r : receivers) {
            absorbed += r.transactions().stats().requestRetransmissionsAbsorbed();
        }
        return new BenchReport.NodeCounters(retransmitted, shed, absorbed);
    }

    /** How long a request may stay unanswered before the node gives up on it with a local 408. */
    Duration requestTimeout() {
        return senders.get(0).config().timerF();
    }

    /** Where a sender's messages go: every active node but our own senders. */
    List<NodeAddress> targets(GatewayServer sender) {
        return targetsIn(sender.dmq().nodes());
    }

    int targetCount() {
        return targets(senders.get(0)).size();
    }

    /** A live view of {@link #targets}, refreshed when the sender's node list changes (not per message). */
    Supplier<List<NodeAddress>> liveTargets(Dmq sender) {
        return new LiveTargets(sender, senderAddresses());
    }

    private static final class LiveTargets implements Supplier<List<NodeAddress>> {
        private final Dmq sender;
        private final Set<NodeAddress> ours;
        private volatile List<NodeAddress> targets;

        LiveTargets(Dmq sender, Set<NodeAddress> ours) {
            this.sender = sender;
            this.ours = ours;
            sender.addNodeListener((before, after) -> refresh());
            refresh();
        }

        private void refresh() {
            targets = targetsIn(sender.nodes(), ours);
        }

        @Override
        public List<NodeAddress> get() {
            return targets;
        }
    }

    private List<NodeAddress> targetsIn(List<NodeInfo> nodes) {
        return targetsIn(nodes, senderAddresses());
    }

    private static List<NodeAddress> targetsIn(List<NodeInfo> nodes, Set<NodeAddress> ours) {
        return nodes.stream().filter(n -> n.isActive() && !n.local() && !ours.contains(n.address()))
                .map(NodeInfo::address).toList();
    }

    private Set<NodeAddress> senderAddresses() {
        return senders.stream().map(s -> s.config().dmq().serverAddress()).collect(Collectors.toSet());
    }

    /**
     * In-process: every node sees every other one active. Joining a cluster: every sender has joined,
     * sees at least one target, and sees the other senders.
     */
    private void awaitMembership(boolean inProcess) throws InterruptedException, TimeoutException {
        List<GatewayServer> all = new ArrayList<>(receivers);
        all.addAll(senders);
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        while (!(inProcess ? everyoneSeesEveryone(all) : sendersJoined())) {
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("the cluster did not form within " + JOIN_TIMEOUT.toSeconds() + " s: "
                        + senders.get(0).dmq().nodes().size() + " node(s) in the first sender's list");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private static boolean everyoneSeesEveryone(List<GatewayServer> all) {
        return all.stream().allMatch(s -> activeRemotes(s) == all.size() - 1);
    }

    private boolean sendersJoined() {
        Set<NodeAddress> ours = senderAddresses();
        return senders.stream().allMatch(s -> s.node().joined() && !targets(s).isEmpty()
                && s.dmq().nodes().stream().filter(n -> n.isActive() && ours.contains(n.address())).count() == ours.size());
    }

    private static long activeRemotes(GatewayServer server) {
        return server.dmq().nodes().stream().filter(n -> n.isActive() && !n.local()).count();
    }

    private GatewayServer startNode(String host, int port, Transport transport, String notify, String channel)
            throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                int chosen = port == 0 ? freePort(host) : port;
                GatewayServer server = GatewayServer.start(configFor(host, chosen, transport, notify));
                try {
                    server.dmq().registerChannel(channel, DispatchMode.HANDLE,
                            m -> CompletableFuture.completedFuture(echo ? DmqResponse.ok(m.body(), m.contentType())
                                    : DmqResponse.ok()));
                } catch (RuntimeException e) {
                    server.abort();
                    throw e;
                }
                return server;
            } catch (BindException e) {
                if (port != 0 || attempt >= 10) {
                    throw e; // a given port is taken, or ephemeral ones keep being raced for
                }
            }
        }
    }

    /** A node with Kamailio's defaults; over TLS its identity is its TLS port, and UDP/TCP listen on another. */
    private GatewayConfig configFor(String host, int port, Transport transport, String notify) throws IOException {
        DmqSettings dmq = DmqSettings.builder(NodeAddress.of(host, port, transport))
                .notificationAddresses(notify == null ? List.of() : List.of(notify)).build();
        GatewayConfig base = GatewayConfig.of(dmq);
        GatewayConfig config = new GatewayConfig(dmq, base.sipListen(), null, null, base.t1(), base.t2(), base.timerF(),
                null, null, SHUTDOWN_GRACE, 1);
        if (transport != Transport.TLS) {
            return config;
        }
        InetSocketAddress plain = new InetSocketAddress(host, freePort(host));
        return new GatewayConfig(dmq, plain, base.sipListen(), tls.config(), base.t1(), base.t2(), base.timerF(), null, null,
                SHUTDOWN_GRACE, 1);
    }

    /** A port free for both UDP and TCP right now (a node binds both). */
    private static int freePort(String host) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 50, address);
                 DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, tcp.getLocalPort()))) {
                return udp.getLocalPort();
            } catch (BindException taken) {
                // UDP side taken: try another
            }
        }
        throw new BindException("no free port on " + host);
    }

    private static String uriOf(GatewayServer server) {
        return server.config().dmq().serverAddress().toUriString();
    }

    /** Senders leave the cluster politely (it may be a real one); in-process receivers just stop. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        senders.forEach(GatewayServer::close);
        receivers.forEach(GatewayServer::abort);
        if (tls != null) {
            tls.close();
        }
    }
}
