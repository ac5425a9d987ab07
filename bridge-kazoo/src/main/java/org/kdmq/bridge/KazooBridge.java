package org.kdmq.bridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.kdmq.bridge.amqp.AmqpConnector;
import org.kdmq.bridge.amqp.AmqpServer;
import org.kdmq.bridge.amqp.AmqpTls;
import org.kdmq.bridge.amqp.BackoffPolicy;
import org.kdmq.bridge.amqp.ConfirmingPublisher;
import org.kdmq.bridge.kazoo.KazooEnvelope;
import org.kdmq.gateway.api.ChannelRegistration;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqMessage;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.GatewayExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kazoo-style bridge inside a gateway: DMQ channels mirrored to RabbitMQ exchanges. Each KDMQ on a
 * mirrored channel is published (Kazoo envelope, routing key from the mirror's template) with
 * publisher confirms and answered 200 only once the broker confirmed it; 503 with a reason when it
 * cannot be (buffer full, nack, bad routing key). With several bridges one publishes each message
 * ({@link BridgePeers}); {@link PublishingServers} picks the server; {@link Subscriber} is the AMQP to
 * DMQ side. The RabbitMQ client recovers connections and their topology.
 */
public final class KazooBridge implements GatewayExtension {
    private static final Logger LOG = LoggerFactory.getLogger(KazooBridge.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BridgeOptions options;
    private final List<ChannelRegistration> registrations = new ArrayList<>();
    private PublishingServers publishingServers;
    private List<AmqpServer> servers = List.of();
    private List<MirrorSpec> mirrors = List.of();
    private List<SubscriptionSpec> subscriptions = List.of();
    private Map<String, Subscriber.Route> routes = Map.of();
    private List<org.kdmq.bridge.query.QueryChannel> queryChannels = List.of();
    private java.time.Duration queryTimeout;
    private org.kdmq.bridge.query.TargetedRequester requester;
    private org.kdmq.bridge.query.QueryResponder responder;
    private Subscriber subscriber;
    private AmqpConnector connector;
    private ConfirmingPublisher publisher;
    private KazooEnvelope.Identity identity;
    private Duration grace = Duration.ofSeconds(5);
    private BridgePeers peers;
    private String selfUri;
    private volatile boolean closed;
    private javax.net.ssl.SSLContext tls;
    private Backlog<Orphan> backlog;
    private final java.util.concurrent.atomic.LongAdder takenOver = new java.util.concurrent.atomic.LongAdder();

    /** A message another bridge owns: its key (to find its next owner) and how to publish it. */
    private record Orphan(byte[] key, Runnable publish) {
    }

    public KazooBridge() {
        this(new BridgeOptions());
    }

    KazooBridge(BridgeOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "kazoo";
    }

    @Override
    public Object options() {
        return options;
    }

    @Override
    public List<Object> commands() {
        return List.of(new AmqpQueryCommand(), new AmqpBenchCommand());
    }

    @Override
    public boolean enabled() {
        return !options.connections.isEmpty() || options.bridgeConfig != null;
    }

    /**
     * One SIP network thread, the one our AMQP connections run on (netty I/O): a KDMQ over TCP read on
     * another thread was handed to it to publish and back to be answered, two wake-ups that cost more
     * than the message (publish over TCP, A/B: 10.5-13.5k msg/s, bridge 49-80 µs CPU per message; on
     * one thread 15.5-18.9k, 22-34 µs). Blocking AMQP I/O hands off to its own threads anyway.
     */
    @Override
    public int preferredIoThreads() {
        return "blocking".equals(options.amqpIo) ? 0 : 1;
    }

    @Override
    public void validate() {
        if (options.bridgeConfig != null) {
            BridgeConfigFile.addTo(options, options.bridgeConfig);
        }
        if (options.connections.isEmpty()) {
            throw new IllegalArgumentException("the bridge needs at least one --amqp-connection");
        }
        if ((options.amqpsVerifyPeer & ~1) != 0 || (options.amqpsVerifyHostname & ~1) != 0) {
            throw new IllegalArgumentException("--amqps-verify-peer and --amqps-verify-hostname take 0 or 1");
        }
        if (!List.of("netty", "nio", "blocking").contains(options.amqpIo)) {
            throw new IllegalArgumentException("--amqp-io must be netty or blocking: " + options.amqpIo);
        }
        boolean anyTls = options.connections.stream().anyMatch(c -> c.toLowerCase(java.util.Locale.ROOT).contains("amqps://"));
        try {
            tls = anyTls ? AmqpTls.context(options.amqpsCa, options.amqpsCert, options.amqpsKey,
                    options.amqpsVerifyPeer != 0) : null;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("amqps settings: " + e.getMessage());
        }
        List<AmqpServer> parsed = new ArrayList<>();
        for (String c : options.connections) {
            parsed.add(AmqpServer.parse(parsed.size() + 1, c, options.primaryZone));
        }
        if (parsed.stream().noneMatch(s -> s.inZone(options.primaryZone))) {
            throw new IllegalArgumentException("no --amqp-connection in the primary zone '" + options.primaryZone + "'");
        }
        List<MirrorSpec> specs = new ArrayList<>();
        for (String m : options.mirrors) {
            specs.add(MirrorSpec.parse(m));
        }
        List<SubscriptionSpec> subs = new ArrayList<>();
        for (String sub : options.subscriptions) {
            subs.add(SubscriptionSpec.parse(sub));
        }
        Map<String, Subscriber.Route> routeMap = new LinkedHashMap<>();
        addRoutes(routeMap, options.routes, "--route", false);
        addRoutes(routeMap, options.queryRoutes, "--query-route", true);
        List<org.kdmq.bridge.query.QueryChannel> queries = new ArrayList<>();
        for (String q : options.queryChannels) {
            org.kdmq.bridge.query.QueryChannel qc = org.kdmq.bridge.query.QueryChannel.parse(q);
            if (specs.stream().anyMatch(m -> m.channel().equals(qc.channel()))
                    || queries.stream().anyMatch(x -> x.channel().equals(qc.channel()))) {
                throw new IllegalArgumentException("channel " + qc.channel() + " is mirrored or a query channel twice");
            }
            queries.add(qc);
        }
        Duration timeout = org.kdmq.bridge.query.QueryOptions.timeout("--amqp-query-timeout", options.queryTimeoutMs);
        if (options.heartbeatSeconds < 1) {
            throw new IllegalArgumentException("--amqp-heartbeat must be at least 1 second");
        }
        if (options.maxOutstanding < 1 || options.publishBuffer < 0) {
            throw new IllegalArgumentException("--amqp-max-outstanding must be >= 1 and --amqp-publish-buffer >= 0");
        }
        servers = List.copyOf(parsed);
        mirrors = List.copyOf(specs);
        subscriptions = List.copyOf(subs);
        routes = Map.copyOf(routeMap);
        queryChannels = List.copyOf(queries);
        queryTimeout = timeout;
    }

    private static void addRoutes(Map<String, Subscriber.Route> into, List<String> values, String flag, boolean query) {
        for (String r : values) {
            int eq = r.indexOf('=');
            if (eq <= 0 || eq == r.length() - 1) {
                throw new IllegalArgumentException(flag + " takes NAME=CHANNEL: " + r);
            }
            String name = org.kdmq.bridge.kazoo.EventRoutes.route(r.substring(0, eq).trim().replaceFirst("^kazoo:", ""));
            Subscriber.Route previous = into.put(name, new Subscriber.Route(r.substring(eq + 1).trim(), query));
            if (previous != null && previous.query() != query) {
                throw new IllegalArgumentException("route " + name + " is given both as --route and --query-route");
            }
        }
    }

    @Override
    public void start(Context context) throws Exception {
        if (servers.isEmpty()) {
            validate();
        }
        String host = options.nodeHostname != null ? options.nodeHostname : context.nodeHostname();
        String node = KazooEnvelope.APP_NAME + "@" + host;
        grace = context.shutdownGrace();
        identity = KazooEnvelope.Identity.withTargetedQueue(context.version(), node, null);
        connector = new AmqpConnector(BackoffPolicy.DEFAULT, Duration.ofSeconds(options.heartbeatSeconds), tls, node,
                options.amqpsVerifyHostname != 0, !"blocking".equals(options.amqpIo), context.ioLoop());
        publisher = new ConfirmingPublisher(options.maxOutstanding, options.publishBuffer);
        List<PublishingServers.Exchange> exchanges = new ArrayList<>();
        mirrors.forEach(m -> exchanges.add(new PublishingServers.Exchange(m.exchange(), m.type(), m.passive())));
        queryChannels.forEach(q -> exchanges.add(PublishingServers.Exchange.ensure(q.exchange(), "topic")));
        exchanges.add(PublishingServers.Exchange.ensure(org.kdmq.bridge.query.ReplyAddress.TARGETED, "direct"));
        publishingServers = new PublishingServers(servers, exchanges, publisher, connector::ioLoopFor);
        // ON_CONFIRM: a confirmed request needs nothing more, and the requester hands a failure off itself.
        requester = new org.kdmq.bridge.query.TargetedRequester(identity,
                m -> publisher.publish(m, ConfirmingPublisher.ON_CONFIRM));
        io.micrometer.core.instrument.Timer answerTime = queryTimer(context, "amqp_to_dmq");
        // A confirmed reply acks its request: as the confirm arrives where that only queues a frame.
        responder = new org.kdmq.bridge.query.QueryResponder(context.dmq(),
                m -> publisher.publish(m, ConfirmingPublisher.ON_CONFIRM_IF_EVENT_DRIVEN), identity, queryTimeout,
                Map.of(Subscriber.ORIGIN, Subscriber.FROM_AMQP),
                nanos -> answerTime.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS));
        for (AmqpServer server : servers) {
            if (server.inZone(options.primaryZone)) {
                connector.connect(server, "publisher").thenAccept(c -> publishingServers.connected(server, c));
            }
        }
        subscriber = new Subscriber(context.dmq(), routes, responder);
        for (AmqpServer server : servers) {
            boolean primary = server.inZone(options.primaryZone);
            List<SubscriptionSpec> here = subscriptions.stream().filter(sub -> primary || sub.federate()).toList();
            if (primary || !here.isEmpty()) {
                // Consumers run on every server, as the kazoo module's do (other zones: federated ones only);
                // replies to our queries come to our targeted queue on each primary-zone server.
                connector.connect(server, "consumer").thenAccept(c -> {
                    if (primary) {
                        try {
                            requester.listenOn(c);
                        } catch (IOException e) {
                            LOG.error("event=amqp_targeted_queue_failed server={} error={}", server.safeUrl(), e.getMessage());
                        }
                    }
                    for (SubscriptionSpec sub : here) {
                        try {
                            subscriber.consume(c, sub, connector.ioLoopFor(server) != null);
                        } catch (IOException e) {
                            LOG.error("event=amqp_subscribe_failed server={} queue={} error={}", server.safeUrl(),
                                    sub.queue(), e.getMessage());
                        }
                    }
                });
            }
        }
        peers = new BridgePeers(context.dmq());
        // Long enough to cover a dead owner's detection: a few ping rounds (ping + request timeout).
        backlog = new Backlog<>(Duration.ofMinutes(5).toMillis(), 100_000, System::currentTimeMillis);
        peers.onBridgeLost(lost -> {
            // Every surviving bridge holds the dead one's recent messages; each publishes only those
            // that rendezvous hashing now gives to it, so each is published once more, not once per survivor.
            int mine = 0;
            for (Orphan orphan : backlog.takeOwnedBy(lost)) {
                org.kdmq.gateway.api.NodeAddress next = peers.owner(orphan.key());
                if (peers.isSelf(next)) {
                    orphan.publish().run();
                    mine++;
                } else {
                    backlog.add(next, orphan);
                }
            }
            takenOver.add(mine);
            LOG.info("event=bridge_peer_lost peer={} republishing={}", lost, mine);
        });
        registrations.add(peers.start());
        selfUri = context.dmq().self().address().toUriString();
        context.dmq().addLocalSendListener(this::onLocalSend);
        for (MirrorSpec mirror : mirrors) {
            // PROCESS: publishing never blocks (it builds the JSON and either queues the frames on a
            // non-blocking connection or hands the message to the publisher's thread; the bounded buffer
            // answers 503 when full), so it runs on the network thread, in arrival order, without a
            // hand-off to a worker per message: about 20 % less CPU per message, measured.
            registrations.add(context.dmq().registerChannel(mirror.channel(), DispatchMode.PROCESS,
                    m -> publishIfOwner(mirror, m)));
            LOG.info("event=mirror channel={} exchange={} type={} routing={}", mirror.channel(), mirror.exchange(),
                    mirror.type(), mirror.routing());
        }
        io.micrometer.core.instrument.Timer askTime = queryTimer(context, "dmq_to_amqp");
        for (org.kdmq.bridge.query.QueryChannel query : queryChannels) {
            registrations.add(context.dmq().registerChannel(query.channel(), DispatchMode.HANDLE, m -> {
                long start = System.nanoTime();
                return query.handle(m, requester, queryTimeout).whenComplete((r, e) ->
                        askTime.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS));
            }));
            LOG.info("event=query_channel channel={} exchange={} routing={}", query.channel(), query.exchange(), query.routing());
        }
        context.addAsyncRpcMethod("kazoo.query", List.of("exchange", "routing_key", "payload", "timeout"), this::rpcQuery);
        context.addReadinessCheck("amqp", () -> publishingServers.isPublishing(), "a broker connection is open");
        context.addCounter("kdmq_bridge_published", "Messages published to AMQP", () -> publisher.published());
        context.addCounter("kdmq_bridge_confirmed", "Publishes the broker confirmed", () -> publisher.confirmed());
        context.addCounter("kdmq_bridge_nacked", "Publishes the broker refused", () -> publisher.nacked());
        context.addCounter("kdmq_bridge_dropped", "Publishes refused because the buffer was full", () -> publisher.dropped());
        context.addCounter("kdmq_bridge_republished", "Publishes sent again after a connection recovery",
                () -> publisher.republished());
        context.addGauge("kdmq_bridge_buffered", "Messages waiting for a broker", () -> publisher.buffered());
        context.addGauge("kdmq_bridge_backlog", "Messages other bridges own, kept in case they die", () -> backlog.size());
        context.addCounter("kdmq_bridge_taken_over", "Messages published for a bridge that died", () -> takenOver.sum());
        context.addCounter("kdmq_bridge_consumed", "AMQP messages consumed", () -> subscriber.consumed.sum());
        context.addCounter("kdmq_bridge_acked", "Consumed messages acked after DMQ delivery", () -> subscriber.acked.sum());
        context.addCounter("kdmq_bridge_rejected", "Consumed messages rejected", () -> subscriber.rejected.sum());
        context.addCounter("kdmq_bridge_invalid", "Consumed messages that were not JSON objects", () -> subscriber.invalid.sum());
        context.addCounter("kdmq_bridge_unroutable", "Consumed messages no route took", () -> subscriber.unroutable.sum());
        context.addCounter("kdmq_bridge_queries_received", "AMQP requests routed to a query channel", () -> responder.received.sum());
        context.addCounter("kdmq_bridge_queries_answered", "AMQP requests answered with a DMQ reply", () -> responder.answered.sum());
        context.addCounter("kdmq_bridge_queries_failed", "AMQP requests answered with an error reply", () -> responder.failed.sum());
        context.addCounter("kdmq_bridge_queries_timed_out", "AMQP requests no DMQ node answered in time", () -> responder.timedOut.sum());
        context.addCounter("kdmq_bridge_query_replies_lost", "Replies the broker did not take", () -> responder.replyLost.sum());
        context.addCounter("kdmq_bridge_asks_sent", "Queries this node published to AMQP", () -> requester.sent.sum());
        context.addCounter("kdmq_bridge_asks_answered", "Queries to AMQP that got their reply", () -> requester.answered.sum());
        context.addCounter("kdmq_bridge_asks_timed_out", "Queries to AMQP with no reply in time", () -> requester.timedOut.sum());
        context.addCounter("kdmq_bridge_replies_unmatched", "Replies on our targeted queue matching no pending query (late, duplicate)",
                () -> requester.unmatched.sum());
        context.addGauge("kdmq_bridge_asks_pending", "Queries to AMQP waiting for a reply", () -> requester.pending());
        context.addRpcMethod("kazoo.status", List.of(), p -> status());
    }

    private static io.micrometer.core.instrument.Timer queryTimer(Context context, String direction) {
        return io.micrometer.core.instrument.Timer.builder("kdmq.bridge.query")
                .description("Query round trip: AMQP request to its published reply, or KDMQ query to its AMQP reply")
                .tag("direction", direction)
                .publishPercentiles(0.5, 0.9, 0.99)
                .register(context.meterRegistry());
    }

    /**
     * Asks the AMQP world from Java, as a query channel does: completes with the first reply echoing
     * the request's Msg-ID, or fails (TimeoutException, IOException, IllegalArgumentException).
     */
    public CompletableFuture<ObjectNode> query(String exchange, String routingKey, ObjectNode request, Duration timeout) {
        if (requester == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the bridge is not started"));
        }
        return requester.query(exchange, routingKey, request, timeout);
    }

    /** kazoo.query: an operator (or script) asks the AMQP world through this node; the result is the reply JSON. */
    private CompletionStage<Object> rpcQuery(Map<String, String> params) {
        String exchange = params.get("exchange");
        if (exchange == null || exchange.isBlank()) {
            throw new IllegalArgumentException("exchange is required");
        }
        ObjectNode payload = KazooEnvelope.asObject(String.valueOf(params.get("payload")).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (payload == null) {
            throw new IllegalArgumentException("payload must be a JSON object");
        }
        String key = params.get("routing_key");
        org.kdmq.bridge.kazoo.RoutingKeyTemplate routing = org.kdmq.bridge.kazoo.RoutingKeyTemplate.parse(
                key == null || key.isEmpty() ? org.kdmq.bridge.kazoo.RoutingKeyTemplate.DEFAULT : key);
        Duration timeout = queryTimeout;
        if (params.get("timeout") != null && !params.get("timeout").isEmpty()) {
            try {
                timeout = org.kdmq.bridge.query.QueryOptions.timeout("timeout", Long.parseLong(params.get("timeout")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("timeout must be milliseconds");
            }
        }
        long ms = timeout.toMillis();
        return requester.query(exchange, routing, payload, timeout).handle((reply, error) -> {
            if (error == null) {
                return reply;
            }
            Throwable cause = org.kdmq.bridge.query.QueryOptions.cause(error);
            if (cause instanceof java.util.concurrent.TimeoutException) {
                throw new java.util.concurrent.CompletionException(new IllegalStateException("no AMQP reply within " + ms + " ms"));
            }
            throw new java.util.concurrent.CompletionException(cause);
        });
    }

    /**
     * Every bridge gets a broadcast; only the owner (rendezvous hashing over the live bridges) publishes
     * it. The others keep it in the backlog until the owner could have died unnoticed.
     */
    private CompletionStage<DmqResponse> publishIfOwner(MirrorSpec mirror, DmqMessage message) {
        if (Subscriber.FROM_AMQP.equals(message.meta().get(Subscriber.ORIGIN))) {
            return CompletableFuture.completedFuture(DmqResponse.ok()); // came from AMQP: never back to it
        }
        String sender = senderOf(message);
        if (org.kdmq.gateway.api.Dmq.UNICAST.equals(message.meta().get(org.kdmq.gateway.api.Dmq.DELIVERY))
                && message.sender() != null && peers.live().contains(message.sender().address())) {
            return CompletableFuture.completedFuture(DmqResponse.ok()); // a bridge's unicast: it published it itself
        }
        if (org.kdmq.gateway.api.Dmq.UNICAST.equals(message.meta().get(org.kdmq.gateway.api.Dmq.DELIVERY))) {
            return publish(mirror, message.body(), message.contentType(), sender); // only we received it
        }
        if (peers.alone()) {
            return publish(mirror, message.body(), message.contentType(), sender); // the only bridge: ours
        }
        byte[] key = messageKey(mirror.channel(), sender, message.body());
        org.kdmq.gateway.api.NodeAddress owner = peers.owner(key);
        if (peers.isSelf(owner)) {
            return publish(mirror, message.body(), message.contentType(), sender);
        }
        backlog.add(owner, new Orphan(key, () -> publish(mirror, message.body(), message.contentType(), sender)));
        return CompletableFuture.completedFuture(DmqResponse.ok());
    }

    /**
     * What this node itself sends on a mirrored channel: a broadcast is published by its owner (every
     * other bridge receives it and agrees who that is); a unicast by us, the sending bridge.
     */
    private void onLocalSend(String channel, byte[] body, String contentType, org.kdmq.gateway.api.NodeAddress target,
                             Map<String, String> meta) {
        if (closed || Subscriber.FROM_AMQP.equals(meta.get(Subscriber.ORIGIN))) {
            return;
        }
        for (MirrorSpec mirror : mirrors) {
            if (!mirror.channel().equals(channel)) {
                continue;
            }
            String sender = selfUri;
            if (target != null) {
                publish(mirror, body, contentType, sender);
                continue;
            }
            byte[] key = messageKey(channel, sender, body);
            org.kdmq.gateway.api.NodeAddress owner = peers.owner(key);
            if (peers.isSelf(owner)) {
                publish(mirror, body, contentType, sender);
            } else {
                backlog.add(owner, new Orphan(key, () -> publish(mirror, body, contentType, sender)));
            }
        }
    }

    private static String senderOf(DmqMessage message) {
        return message.sender() != null ? message.sender().address().toUriString()
                : message.source().getAddress().getHostAddress() + ":" + message.source().getPort();
    }

    /** The same bytes on every receiving bridge: channel, sending node and body. */
    private static byte[] messageKey(String channel, String sender, byte[] body) {
        byte[] head = (channel + "\u0000" + sender + "\u0000").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] key = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, key, head.length, body.length);
        return key;
    }

    private CompletionStage<DmqResponse> publish(MirrorSpec mirror, byte[] messageBody, String contentType, String sender) {
        ObjectNode payload = KazooEnvelope.build(messageBody, contentType, mirror.channel(), sender, identity);
        String routingKey;
        try {
            routingKey = mirror.routing().render(payload);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(DmqResponse.error(500, "Server Internal Error (" + e.getMessage() + ")"));
        }
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("kdmq-channel", mirror.channel());
        headers.put("kdmq-sender", sender);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .messageId(payload.path("Msg-ID").asText())
                .timestamp(new java.util.Date())
                .deliveryMode(mirror.persistent() ? 2 : null)
                .headers(headers)
                .build();
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(payload);
        } catch (IOException e) {
            return CompletableFuture.completedFuture(DmqResponse.error(500, "Server Internal Error (cannot write JSON)"));
        }
        // ON_CONFIRM: the answer only queues a SIP response, so it needs no hop to another thread.
        return publisher.publish(new ConfirmingPublisher.Message(mirror.exchange(), routingKey, props, body),
                        ConfirmingPublisher.ON_CONFIRM)
                .handle((ok, failure) -> failure == null ? DmqResponse.ok()
                        : DmqResponse.error(503, "Service Unavailable (" + rootMessage(failure) + ")"));
    }

    private Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> conns = new ArrayList<>();
        for (AmqpServer s : servers) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", s.id());
            c.put("zone", s.zone());
            c.put("url", s.safeUrl());
            conns.add(c);
        }
        out.put("connections", conns);
        out.put("publishing", publishingServers.isPublishing());
        out.put("mirrors", mirrors.stream().map(m -> m.channel() + "=" + m.exchange() + ":" + m.type()).toList());
        out.put("bridges", peers.live().stream().map(org.kdmq.gateway.api.NodeAddress::toUriString).toList());
        Map<String, Object> counters = new LinkedHashMap<>();
        counters.put("published", publisher.published());
        counters.put("confirmed", publisher.confirmed());
        counters.put("nacked", publisher.nacked());
        counters.put("dropped", publisher.dropped());
        counters.put("buffered", publisher.buffered());
        out.put("publisher", counters);
        out.put("subscriptions", subscriptions.stream().map(x -> x.exchange() + ":" + x.type() + ":" + x.queue() + ":"
                + String.join(",", x.routing())).toList());
        Map<String, Object> consumer = new LinkedHashMap<>();
        consumer.put("consumed", subscriber.consumed.sum());
        consumer.put("acked", subscriber.acked.sum());
        consumer.put("rejected", subscriber.rejected.sum());
        out.put("consumer", consumer);
        out.put("targeted_queue", requester.queue());
        out.put("query_channels", queryChannels.stream().map(q -> q.channel() + "=" + q.exchange() + ":" + q.routing()).toList());
        return out;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    @Override
    public void close() {
        closed = true;
        registrations.forEach(ChannelRegistration::close);
        registrations.clear();
        if (publisher != null) {
            // Finish what was accepted: each of those KDMQs is waiting for its broker confirm.
            if (!publisher.awaitIdle(grace)) {
                LOG.warn("event=bridge_stop_incomplete buffered={} note=\"unconfirmed publishes answered 503\"",
                        publisher.buffered());
            }
            publisher.close();
        }
        if (requester != null) {
            requester.close();
        }
        if (connector != null) {
            connector.close();
        }
        if (publishingServers != null) {
            publishingServers.close();
        }
    }
}
