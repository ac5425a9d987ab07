package org.kdmq.gateway.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.kdmq.gateway.api.Dmq;
import org.kdmq.gateway.dmq.HostResolver;
import org.kdmq.gateway.dmq.KdmqNode;
import org.kdmq.gateway.ops.AdminServer;
import org.kdmq.gateway.ops.DmqRpcMethods;
import org.kdmq.gateway.ops.GatewayMetrics;
import org.kdmq.gateway.ops.JsonRpcDispatcher;
import org.kdmq.gateway.transaction.TransactionLayer;
import org.kdmq.gateway.transaction.TransactionSettings;
import org.kdmq.gateway.transaction.WheelTimerScheduler;
import org.kdmq.gateway.transport.NettySipTransportLayer;
import org.kdmq.gateway.transport.Transport;
import org.kdmq.gateway.transport.TransportSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of a gateway process: SIP transports, transactions, the DMQ node, and the
 * admin endpoint (JSON-RPC, health, metrics), started in that order and stopped in reverse.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    private final GatewayConfig config;
    private final NettySipTransportLayer transport;
    private final WheelTimerScheduler timers;
    private final TransactionLayer transactions;
    private final KdmqNode node;
    private final JsonRpcDispatcher rpc;
    private final GatewayMetrics metrics;
    private final ExecutorService opsExecutor;
    private final Map<String, AdminServer.Readiness> readinessChecks = new LinkedHashMap<>();
    private AdminServer admin;
    private final java.util.List<org.kdmq.gateway.api.GatewayExtension> extensions =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private GatewayServer(GatewayConfig config) throws IOException {
        this.config = config;
        TransportSettings ts = TransportSettings.udpAndTcp(config.sipListen()).withIoThreads(config.ioThreads());
        if (config.tls() != null) {
            ts = ts.withTls(config.tlsListen(), config.tls());
        }
        this.transport = new NettySipTransportLayer(ts).start();
        this.timers = new WheelTimerScheduler(config.t1());
        TransactionSettings tx = TransactionSettings.of(config.t1(), config.t2(), config.timerF());
        // Direct executor: the DMQ node hops to its own workers for anything that is not trivial.
        this.transactions = new TransactionLayer(transport, tx, timers, Runnable::run);
        String advertised = config.dmq().serverAddress().host() + ":" + config.dmq().serverAddress().port();
        transactions.setSentBy(t -> t == Transport.TLS && transport.localAddress(Transport.TLS) != null
                ? config.dmq().serverAddress().host() + ":" + transport.localAddress(Transport.TLS).getPort()
                : advertised);
        this.node = new KdmqNode(config.dmq(), new TransactionSipEndpoint(transactions, transport), HostResolver.system(),
                Clock.systemUTC());
        this.rpc = new JsonRpcDispatcher(config.timerF().toMillis() + 5000);
        DmqRpcMethods.registerAll(rpc, node);
        this.metrics = new GatewayMetrics(node);
        registerStackMetrics();
        this.opsExecutor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "admin-worker");
            t.setDaemon(true);
            return t;
        });
        readinessChecks.put("sip", readiness(() -> transport.localAddress(Transport.UDP) != null, "listening"));
        readinessChecks.put("cluster", readiness(node::joined, "joined or alone by design"));
    }

    /** Binds SIP, joins the cluster and opens the admin endpoint. Fails (nothing left bound) on a taken port. */
    public static GatewayServer start(GatewayConfig config) throws IOException {
        GatewayServer server = new GatewayServer(config);
        try {
            server.node.start();
            if (config.adminListen() != null) {
                server.admin = new AdminServer(config.adminListen(), server.rpc, server.ready(), server.metrics::scrape,
                        server.opsExecutor, config.adminAuth());
                server.admin.start();
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("event=gateway_started node={} sip={} admin={}", config.dmq().serverAddress(),
                server.transport.localAddress(Transport.UDP), server.adminAddress());
        return server;
    }

    private void registerStackMetrics() {
        var ts = transport.stats();
        metrics.counter("kdmq_sip_messages_received", "SIP messages received", ts, s -> s.received());
        metrics.counter("kdmq_sip_messages_sent", "SIP messages sent", ts, s -> s.sent());
        metrics.counter("kdmq_sip_parse_errors", "Bytes that were not an acceptable SIP message", ts, s -> s.parseErrors());
        metrics.counter("kdmq_sip_dropped", "Unparsable messages that could not be answered", ts, s -> s.dropped());
        metrics.counter("kdmq_sip_send_failures", "Messages that could not be sent", ts, s -> s.sendFailures());
        metrics.counter("kdmq_tcp_connections_opened", "Outbound TCP/TLS connections", ts, s -> s.connectionsOpened());
        metrics.counter("kdmq_tcp_connections_accepted", "Inbound TCP/TLS connections", ts, s -> s.connectionsAccepted());
        var xs = transactions.stats();
        metrics.counter("kdmq_retransmissions", "Requests retransmitted (timer E)", xs, s -> s.retransmissions());
        metrics.counter("kdmq_transaction_timeouts", "Requests that got no answer (local 408)", xs, s -> s.timeouts());
        metrics.counter("kdmq_transaction_transport_errors", "Requests that could not be sent (local 503)", xs,
                s -> s.transportErrors());
        metrics.counter("kdmq_retransmissions_absorbed", "Retransmitted requests answered by the transaction", xs,
                s -> s.requestRetransmissionsAbsorbed());
        metrics.counter("kdmq_answers_evicted_early", "Answered UDP transactions let go before timer J (memory bound)",
                xs, s -> s.answersEvictedEarly());
        metrics.counter("kdmq_stray_responses", "Responses matching no transaction", xs, s -> s.strayResponses());
        metrics.gauge("kdmq_requests_in_flight", "Requests sent and not yet finished", node, n -> n.pendingRequests());
    }

    private static AdminServer.Readiness readiness(java.util.function.BooleanSupplier check, String meaning) {
        return new AdminServer.Readiness() {
            @Override
            public boolean ready() {
                return check.getAsBoolean();
            }

            @Override
            public Object detail() {
                return meaning;
            }
        };
    }

    /** Adds a readiness condition (the bridge: broker connection open). */
    public void addReadinessCheck(String name, AdminServer.Readiness check) {
        readinessChecks.put(name, check);
    }

    /** What /health/ready reports: every check, and whether all pass. */
    public AdminServer.Readiness readiness() {
        return ready();
    }

    private AdminServer.Readiness ready() {
        return new AdminServer.Readiness() {
            @Override
            public boolean ready() {
                return readinessChecks.values().stream().allMatch(AdminServer.Readiness::ready);
            }

            @Override
            public Object detail() {
                Map<String, Object> checks = new LinkedHashMap<>();
                readinessChecks.forEach((name, check) -> checks.put(name, check.ready() ? "ok" : "failing: " + check.detail()));
                return checks;
            }
        };
    }

    public Dmq dmq() {
        return node;
    }

    public KdmqNode node() {
        return node;
    }

    public JsonRpcDispatcher rpc() {
        return rpc;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public NettySipTransportLayer transport() {
        return transport;
    }

    public TransactionLayer transactions() {
        return transactions;
    }

    public GatewayConfig config() {
        return config;
    }

    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.localAddress();
    }

    public InetSocketAddress sipAddress(Transport t) {
        return transport.localAddress(t);
    }

    /** Starts an extension (the kazoo bridge) inside this gateway; it is closed before the node stops. */
    public void startExtension(org.kdmq.gateway.api.GatewayExtension extension) throws Exception {
        extension.start(new org.kdmq.gateway.api.GatewayExtension.Context() {
            @Override
            public Dmq dmq() {
                return node;
            }

            @Override
            public void addReadinessCheck(String name, java.util.function.BooleanSupplier ready, String meaning) {
                GatewayServer.this.addReadinessCheck(name, readiness(ready, meaning));
            }

            @Override
            public void addAsyncRpcMethod(String name, java.util.List<String> parameterNames,
                                          java.util.function.Function<Map<String, String>,
                                                  java.util.concurrent.CompletionStage<Object>> method) {
                rpc.register(name, new org.kdmq.gateway.ops.RpcMethod() {
                    @Override
                    public java.util.List<String> parameterNames() {
                        return parameterNames;
                    }

                    @Override
                    public java.util.concurrent.CompletionStage<Object> call(org.kdmq.gateway.ops.RpcParams params) {
                        Map<String, String> values = new LinkedHashMap<>();
                        for (String p : parameterNames) {
                            values.put(p, params.optionalString(p));
                        }
                        return method.apply(values);
                    }
                });
            }

            @Override
            public void addCounter(String name, String description, java.util.function.DoubleSupplier value) {
                metrics.counter(name, description, value, java.util.function.DoubleSupplier::getAsDouble);
            }

            @Override
            public void addGauge(String name, String description, java.util.function.DoubleSupplier value) {
                metrics.gauge(name, description, value, java.util.function.DoubleSupplier::getAsDouble);
            }

            @Override
            public io.micrometer.core.instrument.MeterRegistry meterRegistry() {
                return metrics.registry();
            }

            @Override
            public String nodeHostname() {
                try {
                    return java.net.InetAddress.getLocalHost().getHostName();
                } catch (java.net.UnknownHostException e) {
                    return config.dmq().serverAddress().host();
                }
            }

            @Override
            public String version() {
                return org.kdmq.gateway.dmq.KdmqMessages.VERSION;
            }

            @Override
            public java.time.Duration shutdownGrace() {
                return config.shutdownGrace();
            }

            @Override
            public io.netty.channel.EventLoop ioLoop() {
                return transport.mainLoop();
            }
        });
        extensions.add(extension);
        LOG.info("event=extension_started name={}", extension.name());
    }

    private void closeExtensions() {
        for (org.kdmq.gateway.api.GatewayExtension e : extensions) {
            try {
                e.close();
            } catch (RuntimeException failure) {
                LOG.warn("event=extension_close_failed name={} error={}", e.name(), failure.toString());
            }
        }
        extensions.clear();
    }

    /** Stops at once without telling the cluster, as a crash would (tests, failure drills). */
    public void abort() {
        closeExtensions();
        node.shutdown(java.time.Duration.ZERO, false);
        if (admin != null) {
            admin.close();
        }
        opsExecutor.shutdownNow();
        timers.close();
    }

    /** Leaves the cluster (within the grace period), then closes everything. */
    @Override
    public void close() {
        closeExtensions();
        node.shutdown(config.shutdownGrace());
        if (admin != null) {
            admin.close();
        }
        opsExecutor.shutdownNow();
        timers.close();
        LOG.info("event=gateway_stopped node={}", config.dmq().serverAddress());
    }
}
