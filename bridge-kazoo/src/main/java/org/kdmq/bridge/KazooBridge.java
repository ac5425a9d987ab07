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
    private Map<String, String> routes = Map.of();
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
    public boolean enabled() {
        return !options.connections.isEmpty() || options.bridgeConfig != null;
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
        Map<String, String> routeMap = new LinkedHashMap<>();
        for (String r : options.routes) {
            int eq = r.indexOf('=');
            if (eq <= 0 || eq == r.length() - 1) {
                throw new IllegalArgumentException("--route takes NAME=CHANNEL: " + r);
            }
            String name = r.substring(0, eq).trim().replaceFirst("^kazoo:", "");
            routeMap.put(org.kdmq.bridge.kazoo.EventRoutes.route(name), r.substring(eq + 1).trim());
        }
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
    }

    @Override
    public void start(Context context) throws Exception {
        if (servers.isEmpty()) {
            validate();
        }
        String host = options.nodeHostname != null ? options.nodeHostname : context.nodeHostname();
        String node = KazooEnvelope.APP_NAME + "@" + host;
        grace = context.shutdownGrace();
        identity = new KazooEnvelope.Identity(context.version(), node, node + "-1-targeted-0");
        connector = new AmqpConnector(BackoffPolicy.DEFAULT, Duration.ofSeconds(options.heartbeatSeconds), tls, node,
                options.amqpsVerifyHostname != 0);
        publisher = new ConfirmingPublisher(options.maxOutstanding, options.publishBuffer);
        publishingServers = new PublishingServers(servers, mirrors, publisher);
        for (AmqpServer server : servers) {
            if (server.inZone(options.primaryZone)) {
                connector.connect(server, "publisher").thenAccept(c -> publishingServers.connected(server, c));
            }
        }
        subscriber = new Subscriber(context.dmq(), routes);
        for (AmqpServer server : servers) {
            boolean primary = server.inZone(options.primaryZone);
            List<SubscriptionSpec> here = subscriptions.stream().filter(sub -> primary || sub.federate()).toList();
            if (!here.isEmpty()) {
                // Consumers run on every server, as the kazoo module's do (other zones: federated ones only).
                connector.connect(server, "consumer").thenAccept(c -> {
                    for (SubscriptionSpec sub : here) {
                        try {
                            subscriber.consume(c, sub);
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
            registrations.add(context.dmq().registerChannel(mirror.channel(), DispatchMode.HANDLE,
                    m -> publishIfOwner(mirror, m)));
            LOG.info("event=mirror channel={} exchange={} type={} routing={}", mirror.channel(), mirror.exchange(),
                    mirror.type(), mirror.routing());
        }
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
        context.addRpcMethod("kazoo.status", List.of(), p -> status());
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
        return publisher.publish(new ConfirmingPublisher.Message(mirror.exchange(), routingKey, props, body))
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
        if (connector != null) {
            connector.close();
        }
        if (publishingServers != null) {
            publishingServers.close();
        }
    }
}
