package org.kdmq.gateway.cli;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.dmq.DmqSettings;
import org.kdmq.gateway.dmq.MembershipPolicy;
import org.kdmq.gateway.server.GatewayConfig;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.sip.message.SipUri;
import org.kdmq.gateway.transport.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code run}: start a node. Flags mirror Kamailio's dmq modparams, with the same defaults and units. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a DMQ node (the default command).",
        footer = {"", "Every flag can also be set by an environment variable: --server-address as KDMQ_SERVER_ADDRESS, ...",
                "Repeatable flags take a comma-separated list there."})
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    /** Extensions found on the class path (the kazoo bridge), their flags already added. */
    List<org.kdmq.gateway.api.GatewayExtension> extensions = List.of();

    @Option(names = "--server-address", defaultValue = "sip:127.0.0.1:5060",
            description = "server_address: this node's URI, its identity in node lists (default: ${DEFAULT-VALUE}). "
                    + "Add ;transport=tcp or tls to be reached over that transport.")
    String serverAddress;

    @Option(names = "--server-socket", description = "server_socket: local address to listen and send from, "
            + "host:port or [proto:]host:port (default: the server address's host and port)")
    String serverSocket;

    @Option(names = "--notification-address", split = ",", description = "notification_address (repeatable): "
            + "a node to join the cluster through. Without one, this node starts a cluster of its own.")
    List<String> notificationAddresses = new ArrayList<>();

    @Option(names = "--notification-channel", defaultValue = "notification_peer",
            description = "notification_channel (default: ${DEFAULT-VALUE})")
    String notificationChannel;

    @Option(names = "--multi-notify", defaultValue = "0", converter = KamailioBooleanConverter.class, paramLabel = "0|1",
            description = "multi_notify: resolve the notification address's SRV, A and AAAA records and notify each (default: 0)")
    boolean multiNotify;

    @Option(names = "--dns-server", split = ",", description = "DNS server host:port for multi_notify lookups "
            + "(repeatable; default: the system's, from /etc/resolv.conf)")
    List<String> dnsServers = new ArrayList<>();

    @Option(names = "--num-workers", defaultValue = "2", description = "num_workers: channel handler threads (default: ${DEFAULT-VALUE})")
    int numWorkers;

    @Option(names = "--worker-usleep", defaultValue = "0", description = "worker_usleep: accepted for compatibility, "
            + "no effect (our workers wait on a queue, not a lock) (default: ${DEFAULT-VALUE})")
    int workerUsleep;

    @Option(names = "--ping-interval", defaultValue = "60", description = "ping_interval in seconds (default: ${DEFAULT-VALUE}). "
            + "Unlike Kamailio, values down to 1 are accepted (with a warning below 60).")
    int pingInterval;

    @Option(names = "--remove-inactive", defaultValue = "1", converter = KamailioBooleanConverter.class, paramLabel = "0|1",
            description = "remove_inactive: delete nodes that stop answering (1) or keep them not_active (0) (default: 1)")
    boolean removeInactive;

    @Option(names = "--fail-count-enabled", defaultValue = "0", converter = KamailioBooleanConverter.class, paramLabel = "0|1",
            description = "fail_count_enabled: count consecutive failures before changing status (default: 0)")
    boolean failCountEnabled;

    @Option(names = "--fail-count-threshold-not-active", defaultValue = "0",
            description = "fail_count_threshold_not_active (default: ${DEFAULT-VALUE})")
    int failCountThresholdNotActive;

    @Option(names = "--fail-count-threshold-disabled", defaultValue = "1",
            description = "fail_count_threshold_disabled (default: ${DEFAULT-VALUE})")
    int failCountThresholdDisabled;

    @Option(names = "--t1-ms", defaultValue = "500", description = "SIP timer T1 in ms (default: ${DEFAULT-VALUE})")
    long t1Ms;

    @Option(names = "--t2-ms", defaultValue = "4000", description = "SIP timer T2 in ms (default: ${DEFAULT-VALUE})")
    long t2Ms;

    @Option(names = "--fr-timer-ms", description = "how long a request may go unanswered before a local 408, in ms "
            + "(tm's fr_timer; default: 64*T1 = 32000)")
    Long frTimerMs;

    @Option(names = "--tls-listen", description = "host:port for a TLS listener (default: none)")
    String tlsListen;

    @Option(names = "--tls-certificate", description = "PEM certificate chain")
    Path tlsCertificate;

    @Option(names = "--tls-private-key", description = "PEM PKCS#8 private key")
    Path tlsPrivateKey;

    @Option(names = "--tls-keystore", description = "PKCS#12 (or .jks) keystore, instead of certificate and key")
    Path tlsKeystore;

    @Option(names = "--tls-keystore-password", description = "keystore password", arity = "0..1", interactive = false)
    String tlsKeystorePassword;

    @Option(names = "--tls-ca", description = "PEM CA certificates to verify peers with")
    Path tlsCa;

    @Option(names = "--tls-client-auth", defaultValue = "none", description = "none, optional or require (default: ${DEFAULT-VALUE})")
    String tlsClientAuth;

    @Option(names = "--tls-verify-server", defaultValue = "1", converter = KamailioBooleanConverter.class, paramLabel = "0|1",
            description = "verify the certificates of nodes we connect to (default: 1)")
    boolean tlsVerifyServer;

    @Option(names = "--only-from-known-nodes", defaultValue = "0", converter = KamailioBooleanConverter.class,
            paramLabel = "0|1", description = "accept KDMQ only from listed nodes and notification addresses (default: 0, as Kamailio)")
    boolean onlyFromKnownNodes;

    @Option(names = "--max-nodes", defaultValue = "10000", description = "node list limit (default: ${DEFAULT-VALUE})")
    int maxNodes;

    @Option(names = "--admin-listen", defaultValue = "127.0.0.1:8060",
            description = "admin HTTP endpoint (JSON-RPC, health, metrics); 'none' to disable (default: ${DEFAULT-VALUE})")
    String adminListen;

    @Option(names = "--admin-auth", description = "protect the admin endpoint: user:password (basic) or 'Bearer TOKEN'")
    String adminAuth;

    @Option(names = "--log-level", defaultValue = "info",
            description = "error, warn, info, debug (debug shows SIP messages) or trace (default: ${DEFAULT-VALUE})")
    String logLevel;

    @Option(names = "--io-threads", defaultValue = "0", description = "SIP network threads (0: twice the cores, or "
            + "what an enabled extension asks for: 1 with the kazoo bridge) (default: ${DEFAULT-VALUE})")
    int ioThreads;

    @Option(names = "--max-pending-requests", defaultValue = "5000", description = "channel requests this node may "
            + "have in flight; beyond, a send fails at once with a local 503 instead of adding to a backlog "
            + "(default: ${DEFAULT-VALUE})")
    int maxPendingRequests;

    @Option(names = "--echo-channel", split = ",", description = "a channel this node answers itself (repeatable): "
            + "200 with the request's body echoed back (to our nodes; Kamailio gets no body), like a Kamailio "
            + "script's sl_send_reply(\"200\") on a channel. For smoke tests and benchmarks")
    List<String> echoChannels = new java.util.ArrayList<>();

    @Option(names = "--shutdown-grace", defaultValue = "5", description = "seconds to finish in-flight work on stop (default: ${DEFAULT-VALUE})")
    int shutdownGraceSeconds;

    /** Validates everything into a config, or throws ParameterException (exit code 2) before anything binds. */
    GatewayConfig toConfig() {
        NodeAddress server;
        try {
            SipUri uri = SipUri.parse(serverAddress);
            if (uri.port() < 0) {
                throw bad("--server-address needs a port: " + serverAddress);
            }
            server = NodeAddress.fromUri(uri);
        } catch (ParameterException e) {
            throw e;
        } catch (RuntimeException e) {
            throw bad("--server-address is not a SIP URI: " + serverAddress + " (" + e.getMessage() + ")");
        }
        for (String n : notificationAddresses) {
            try {
                NodeAddress.parse(n);
            } catch (RuntimeException e) {
                throw bad("--notification-address is not a SIP URI: " + n + " (" + e.getMessage() + ")");
            }
        }
        if (multiNotify && notificationAddresses.size() > 1) {
            throw bad("--multi-notify takes exactly one --notification-address, got " + notificationAddresses.size());
        }
        if (pingInterval < 1) {
            throw bad("--ping-interval must be at least 1 second");
        }
        if (pingInterval < 60) {
            LOG.warn("event=low_ping_interval seconds={} note=\"Kamailio would raise it to 60\"", pingInterval);
        }
        if (!List.of("error", "warn", "info", "debug", "trace").contains(logLevel.toLowerCase(java.util.Locale.ROOT))) {
            throw bad("--log-level must be error, warn, info, debug or trace");
        }
        if (ioThreads < 0 || ioThreads > 256) {
            throw bad("--io-threads must be 0..256");
        }
        if (numWorkers < 1 || numWorkers > 1024) {
            throw bad("--num-workers must be 1..1024");
        }
        if (failCountThresholdNotActive < 0 || failCountThresholdDisabled < 0) {
            throw bad("fail count thresholds must be >= 0");
        }
        if (t1Ms < 1 || t2Ms < t1Ms) {
            throw bad("need --t1-ms >= 1 and --t2-ms >= --t1-ms");
        }
        Duration frTimer = Duration.ofMillis(frTimerMs != null ? frTimerMs : 64 * t1Ms);
        if (frTimer.toMillis() < t1Ms) {
            throw bad("--fr-timer-ms must be at least --t1-ms");
        }
        InetSocketAddress sip = serverSocket != null ? socket("--server-socket", stripProto(serverSocket))
                : new InetSocketAddress(server.hostForSocket(), server.port());
        TlsConfig tls = null;
        InetSocketAddress tlsAddress = null;
        if (tlsListen != null || tlsCertificate != null || tlsKeystore != null) {
            if (tlsKeystore == null && (tlsCertificate == null || tlsPrivateKey == null)) {
                throw bad("TLS needs --tls-certificate and --tls-private-key, or --tls-keystore");
            }
            for (Path p : new Path[] {tlsCertificate, tlsPrivateKey, tlsKeystore, tlsCa}) {
                if (p != null && !Files.isReadable(p)) {
                    throw bad("cannot read " + p);
                }
            }
            tls = new TlsConfig(tlsCertificate, tlsPrivateKey, tlsKeystore, tlsKeystorePassword, tlsCa, null, null,
                    tlsClientAuth, tlsVerifyServer);
            if (!List.of("none", "optional", "require").contains(tlsClientAuth)) {
                throw bad("--tls-client-auth must be none, optional or require");
            }
            if (tlsListen != null) {
                tlsAddress = socket("--tls-listen", tlsListen);
            }
        }
        InetSocketAddress admin = "none".equalsIgnoreCase(adminListen) ? null : socket("--admin-listen", adminListen);
        DmqSettings dmq;
        try {
            dmq = DmqSettings.builder(server)
                    .notificationAddresses(notificationAddresses)
                    .notificationChannel(notificationChannel)
                    .multiNotify(multiNotify)
                    .numWorkers(numWorkers)
                    .workerUsleep(workerUsleep)
                    .pingInterval(Duration.ofSeconds(pingInterval))
                    .policy(new MembershipPolicy(removeInactive, failCountEnabled, failCountThresholdNotActive,
                            failCountThresholdDisabled))
                    .maxNodes(maxNodes)
                    .maxPendingRequests(maxPendingRequests)
                    .onlyFromKnownNodes(onlyFromKnownNodes)
                    .dnsServers(dnsServers.stream().map(d -> socket("--dns-server", d)).toList())
                    .build();
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        return new GatewayConfig(dmq, sip, tlsAddress, tls, Duration.ofMillis(t1Ms), Duration.ofMillis(t2Ms), frTimer,
                admin, adminAuth, Duration.ofSeconds(shutdownGraceSeconds), ioThreads);
    }

    /** --io-threads when given, else the fewest an enabled extension asks for, else 0 (twice the cores). */
    int effectiveIoThreads() {
        if (ioThreads > 0) {
            return ioThreads;
        }
        int preferred = extensions.stream().filter(org.kdmq.gateway.api.GatewayExtension::enabled)
                .mapToInt(org.kdmq.gateway.api.GatewayExtension::preferredIoThreads).filter(n -> n > 0).min().orElse(0);
        if (preferred > 0) {
            LOG.info("event=io_threads threads={} reason=\"asked for by an extension; --io-threads overrides\"", preferred);
        }
        return preferred;
    }

    @Override
    public Integer call() throws Exception {
        GatewayConfig config = toConfig();
        for (org.kdmq.gateway.api.GatewayExtension extension : extensions) {
            if (extension.enabled()) {
                try {
                    extension.validate();
                } catch (IllegalArgumentException e) {
                    throw bad(e.getMessage());
                }
            }
        }
        config = config.withIoThreads(effectiveIoThreads());
        GatewayServer server;
        try {
            server = GatewayServer.start(config);
        } catch (BindException e) {
            spec.commandLine().getErr().println("kdmq-gateway: " + e.getMessage());
            return 1;
        }
        for (String channel : echoChannels) {
            try {
                // On the network thread: answering needs no blocking work.
                server.dmq().registerChannel(channel.trim(), org.kdmq.gateway.api.DispatchMode.PROCESS, m ->
                        java.util.concurrent.CompletableFuture.completedFuture(
                                org.kdmq.gateway.api.DmqResponse.ok(m.body(), m.contentType())));
            } catch (IllegalArgumentException | IllegalStateException e) {
                server.close();
                throw bad("--echo-channel " + channel + ": " + e.getMessage());
            }
        }
        // SIGTERM/SIGINT: stop taking work, leave the cluster, finish what is in flight, exit 0.
        // (A JVM left to its default handling would exit 143/130 from a shutdown hook.)
        for (org.kdmq.gateway.api.GatewayExtension extension : extensions) {
            if (!extension.enabled()) {
                continue;
            }
            try {
                server.startExtension(extension);
            } catch (Exception e) {
                server.close();
                spec.commandLine().getErr().println("kdmq-gateway: " + extension.name() + ": " + e.getMessage());
                return 1;
            }
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        for (String signal : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stopRequested.countDown());
            } catch (IllegalArgumentException unsupported) {
                LOG.debug("event=signal_unavailable signal={}", signal);
            }
        }
        Thread fallback = new Thread(server::close, "shutdown");
        Runtime.getRuntime().addShutdownHook(fallback);
        stopRequested.await();
        LOG.info("event=stopping reason=signal grace_s={}", config.shutdownGrace().toSeconds());
        server.close();
        try {
            Runtime.getRuntime().removeShutdownHook(fallback);
        } catch (IllegalStateException alreadyExiting) {
            // the JVM is going down anyway
        }
        return 0;
    }

    private static String stripProto(String socket) {
        int colon = socket.indexOf(':');
        if (colon > 0 && List.of("udp", "tcp", "tls").contains(socket.substring(0, colon).toLowerCase())) {
            return socket.substring(colon + 1);
        }
        return socket;
    }

    private InetSocketAddress socket(String flag, String hostPort) {
        String s = hostPort.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || (s.indexOf(':') != colon && !s.startsWith("["))) {
            throw bad(flag + " must be host:port (IPv6 in brackets): " + hostPort);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw bad(flag + " has a bad port: " + hostPort);
        }
        if (port < 0 || port > 65535) {
            throw bad(flag + " port out of range: " + hostPort);
        }
        return new InetSocketAddress(host, port);
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
