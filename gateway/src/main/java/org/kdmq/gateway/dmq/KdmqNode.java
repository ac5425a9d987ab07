package org.kdmq.gateway.dmq;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.kdmq.gateway.api.ChannelHandler;
import org.kdmq.gateway.api.ChannelRegistration;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.Dmq;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.DmqMessage;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.api.NodeStatus;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DMQ cluster node: receives KDMQ requests and hands them to channel handlers, sends broadcasts and
 * unicasts, and keeps the node list with {@link Membership}. Network threads only parse, check and
 * queue; handlers and membership work run on the worker pool.
 */
public final class KdmqNode implements Dmq, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KdmqNode.class);

    /** Which response callback Kamailio would attach: it decides what a reply does to the node list. */
    enum Traffic {
        /** Joins, pings and node-list broadcasts (notification_resp_callback_f). */
        MEMBERSHIP,
        /** Channel messages from the API and replication (default_resp_callback_f). */
        APPLICATION
    }

    private final DmqSettings settings;
    private final SipEndpoint endpoint;
    private final NodeList nodeList;
    private final ChannelRegistry channels;
    private final ExecutorService workers;
    private final KeyedSerialExecutor ordered;
    private final ScheduledExecutorService scheduler;
    private final HostResolver resolver;
    private final Clock clock;
    private final Membership membership;
    private final RequestDispatcher dispatcher;
    private final DmqStats stats = new DmqStats();
    private final AtomicInteger pending = new AtomicInteger();
    /** Channel requests in flight: what --max-pending-requests bounds (membership traffic is not counted). */
    private final AtomicInteger pendingApplication = new AtomicInteger();
    private final List<LocalSendListener> localSendListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    public KdmqNode(DmqSettings settings, SipEndpoint endpoint, HostResolver resolver, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.clock = Objects.requireNonNull(clock, "clock");
        NodeAddress self = settings.serverAddress();
        this.nodeList = new NodeList(self, resolver.resolveQuietly(self.hostForSocket()), settings.policy(),
                settings.maxNodes());
        this.channels = new ChannelRegistry(settings.maxChannelLength());
        AtomicInteger workerNumber = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.numWorkers(), r -> {
            Thread t = new Thread(r, "dmq-worker-" + workerNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.ordered = new KeyedSerialExecutor(workers, settings.maxQueuedPerWorkerQueue());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dmq-timer");
            t.setDaemon(true);
            return t;
        });
        this.membership = new Membership(this, settings, nodeList, resolver, clock);
        this.dispatcher = new RequestDispatcher(settings, channels, nodeList, membership, ordered, stats);
        nodeList.addListener((before, after) -> logChange(before, after));
    }

    /** Registers the notification channel, starts listening, joins the cluster and starts pinging. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        channels.register(settings.notificationChannel(), DispatchMode.HANDLE, membership::onNotification);
        endpoint.onRequest(dispatcher::onRequest);
        LOG.info("event=node_started node={} notification_addresses={} ping_interval_s={}",
                settings.serverAddress(), settings.notificationAddresses(), settings.pingInterval().toSeconds());
        workers.execute(membership::join);
        long period = settings.pingInterval().toMillis();
        scheduler.scheduleAtFixedRate(() -> runOnWorkers(membership::ping), period, period, TimeUnit.MILLISECONDS);
    }

    /** Tells the cluster we are leaving, waits up to {@code grace} for the answers, then stops. */
    public void shutdown(java.time.Duration grace) {
        shutdown(grace, true);
    }

    /** Stops; with {@code tellCluster} false, silently, as a crash would look to the others. */
    public void shutdown(java.time.Duration grace, boolean tellCluster) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdownNow();
        if (started.get() && tellCluster) {
            CompletableFuture<Void> leaving = membership.leave();
            try {
                leaving.get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.info("event=leave_incomplete node={} reason={}", settings.serverAddress(), e.toString());
            }
        }
        workers.shutdown();
        try {
            workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        endpoint.close();
        LOG.info("event=node_stopped node={}", settings.serverAddress());
    }

    @Override
    public void close() {
        shutdown(java.time.Duration.ofSeconds(2));
    }

    public DmqSettings settings() {
        return settings;
    }

    public DmqStats stats() {
        return stats;
    }

    /** The node list itself, for operators (RPC dmq.remove, dmq.add, dmq.change_status). */
    public NodeList nodeList() {
        return nodeList;
    }

    /**
     * Whether the node is part of a cluster: another node has answered or notified us and some other
     * node is active, or it is alone by design (no notification address but itself). For /health/ready.
     */
    public boolean joined() {
        if (membership.heardFromCluster() && !nodeList.remotes(NodeInfo::isActive).isEmpty()) {
            return true;
        }
        return nodeList.remotes(NodeInfo::notificationAddress).isEmpty() && started.get();
    }

    /** Runs one ping round now (tests, and operators who do not want to wait for the timer). */
    public CompletableFuture<Void> pingNow() {
        return CompletableFuture.runAsync(membership::ping, workers);
    }

    // ---- the API ------------------------------------------------------------------------------

    @Override
    public NodeInfo self() {
        return nodeList.self();
    }

    @Override
    public List<NodeInfo> nodes() {
        return nodeList.snapshot();
    }

    @Override
    public ChannelRegistration registerChannel(String channel, DispatchMode mode, ChannelHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return channels.register(channel, Objects.requireNonNull(mode, "mode"), handler);
    }

    @Override
    public List<NodeAddress> bcast(String channel, byte[] body, String contentType, NodeAddress except,
                                   int maxForwards, java.util.Map<String, String> meta, Consumer<NodeReply> callback) {
        checkOutgoing(channel, body, maxForwards);
        notifyLocalSend(channel, body, contentType, null, meta);
        List<NodeInfo> targets = nodeList.remotes(n -> n.isActive() && !n.address().equals(except));
        List<NodeAddress> sentTo = new ArrayList<>(targets.size());
        for (NodeInfo node : targets) {
            sentTo.add(node.address());
            CompletableFuture<NodeReply> reply = sendTo(channel, node.address(), body, contentType, maxForwards,
                    Traffic.APPLICATION, meta);
            if (callback != null) {
                reply.thenAccept(r -> safely(callback, r));
            }
        }
        return sentTo;
    }

    @Override
    public CompletableFuture<NodeReply> send(String channel, NodeAddress node, byte[] body, String contentType,
                                             int maxForwards, java.util.Map<String, String> meta) {
        checkOutgoing(channel, body, maxForwards);
        if (nodeList.find(node, true).isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a node in the list: " + node));
        }
        java.util.Map<String, String> marked = new java.util.LinkedHashMap<>(meta);
        marked.putIfAbsent(DELIVERY, UNICAST);
        if (node.equals(settings.serverAddress())) {
            return sendToSelf(channel, body, contentType, maxForwards, marked);
        }
        notifyLocalSend(channel, body, contentType, node, marked);
        return sendTo(channel, node, body, contentType, maxForwards, Traffic.APPLICATION, marked);
    }

    @Override
    public CompletableFuture<List<NodeReply>> replicate(SipRequest request, InetAddress source, boolean skipLoopTest) {
        if (!skipLoopTest && source != null && isFromNode(source)) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<CompletableFuture<NodeReply>> replies = new ArrayList<>();
        for (NodeInfo node : nodeList.remotes(NodeInfo::isActive)) {
            SipRequest copy = Replication.forwardCopy(request, node.address());
            replies.add(exchange(copy, node.address(), Traffic.APPLICATION));
        }
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .thenApply(v -> replies.stream().map(CompletableFuture::join).toList());
    }

    @Override
    public boolean isFromNode(InetAddress source) {
        return nodeList.isFromNode(source);
    }

    @Override
    public void addLocalSendListener(LocalSendListener listener) {
        localSendListeners.add(listener);
    }

    private void notifyLocalSend(String channel, byte[] body, String contentType, NodeAddress target,
                                 java.util.Map<String, String> meta) {
        for (LocalSendListener l : localSendListeners) {
            try {
                l.onLocalSend(channel, body, contentType, target, meta);
            } catch (RuntimeException e) {
                LOG.warn("event=local_send_listener_failed channel={} error={}", channel, e.toString());
            }
        }
    }

    @Override
    public void addNodeListener(NodeListener listener) {
        nodeList.addListener(listener::onNodeChange);
    }

    private void checkOutgoing(String channel, byte[] body, int maxForwards) {
        String problem = channels.validateName(channel);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (body.length > settings.maxBodySize()) {
            throw new IllegalArgumentException("body larger than " + settings.maxBodySize() + " bytes");
        }
        if (maxForwards < 1 || maxForwards > 255) {
            throw new IllegalArgumentException("max-forwards must be 1..255");
        }
    }

    private static void safely(Consumer<NodeReply> callback, NodeReply reply) {
        try {
            callback.accept(reply);
        } catch (RuntimeException e) {
            LOG.warn("event=callback_failed node={} error={}", reply.node(), e.toString(), e);
        }
    }

    // ---- sending ------------------------------------------------------------------------------

    /** Sends one KDMQ request to a node and applies Kamailio's response rules for that traffic. */
    private volatile InetSocketAddress selfSource;

    /** Our own handler, in process: what a KDMQ to ourselves would get, without the round trip. */
    private CompletableFuture<NodeReply> sendToSelf(String channel, byte[] body, String contentType, int maxForwards,
                                                    java.util.Map<String, String> meta) {
        NodeInfo self = nodeList.self();
        NodeAddress address = self.address();
        stats.requestSent(channel);
        InetSocketAddress source = selfSource;
        if (source == null) {
            source = new InetSocketAddress(address.hostForSocket(), address.port()); // resolved once, not per message
            selfSource = source;
        }
        DmqMessage message = new DmqMessage(channel, body, contentType, self, source, address.transport(), maxForwards,
                java.util.UUID.randomUUID() + "@local", true, meta);
        return dispatcher.onLocalRequest(message).thenApply(r -> new NodeReply(address, r.statusCode(), r.reason(),
                r.body(), r.hasBody() ? r.contentType() : null, false));
    }

    CompletableFuture<NodeReply> sendTo(String channel, NodeAddress node, byte[] body, String contentType,
                                        int maxForwards, Traffic traffic) {
        return sendTo(channel, node, body, contentType, maxForwards, traffic, java.util.Map.of());
    }

    CompletableFuture<NodeReply> sendTo(String channel, NodeAddress node, byte[] body, String contentType,
                                        int maxForwards, Traffic traffic, java.util.Map<String, String> meta) {
        SipRequest request = KdmqMessages.request(channel, settings.serverAddress(), node, body, contentType,
                maxForwards, settings.serverAddress().hostForSocket(), meta);
        stats.requestSent(channel);
        return exchange(request, node, traffic);
    }

    private CompletableFuture<NodeReply> exchange(SipRequest request, NodeAddress node, Traffic traffic) {
        boolean application = traffic == Traffic.APPLICATION;
        if (application && pendingApplication.get() >= settings.maxPendingRequests()) {
            // Past saturation: fail fast here rather than add to what is already late (and retransmitting).
            stats.requestShed();
            return CompletableFuture.completedFuture(new NodeReply(node, 503,
                    "Service Unavailable (too many requests in flight)", new byte[0], null, true));
        }
        pending.incrementAndGet();
        if (application) {
            pendingApplication.incrementAndGet();
        }
        CompletableFuture<SipResponse> response;
        InetSocketAddress destination = destinationOf(node);
        if (destination == null) {
            response = CompletableFuture.failedFuture(new LocalFailure(503, "Cannot resolve " + node.host()));
        } else {
            try {
                response = endpoint.send(request, node.transport(), destination);
            } catch (RuntimeException e) {
                response = CompletableFuture.failedFuture(new LocalFailure(503, "Cannot send: " + e.getMessage()));
            }
        }
        CompletableFuture<NodeReply> result = new CompletableFuture<>();
        response.whenComplete((r, error) -> {
            NodeReply reply = toReply(node, r, error);
            Runnable finish = () -> finish(result, reply, traffic, request.callId());
            if (application && !reply.local()) {
                // A node's own answer to channel traffic changes nothing in the node list: complete it
                // here, on the network thread that read it, rather than wake a worker for every reply.
                finish.run();
            } else {
                // Node-list work (and whatever a timer's 408 starts) must not run on a network or timer thread.
                runOnWorkers(finish, finish);
            }
        });
        return result;
    }

    private void finish(CompletableFuture<NodeReply> result, NodeReply reply, Traffic traffic, String callId) {
        try {
            membership.onReply(reply, traffic, callId);
        } finally {
            pending.decrementAndGet();
            if (traffic == Traffic.APPLICATION) {
                pendingApplication.decrementAndGet();
            }
            result.complete(reply);
        }
    }

    /**
     * Requests sent and not yet finished: answered (or timed out) and their answer applied to the node
     * list. Zero on every node of a cluster means all membership chatter has settled.
     */
    public int pendingRequests() {
        return pending.get();
    }

    private InetSocketAddress destinationOf(NodeAddress node) {
        InetAddress ip = nodeList.find(node, true).map(NodeInfo::resolvedIp).orElse(null);
        if (ip == null) {
            ip = resolver.resolveQuietly(node.hostForSocket());
        }
        return ip == null ? null : new InetSocketAddress(ip, node.port());
    }

    private static NodeReply toReply(NodeAddress node, SipResponse response, Throwable error) {
        if (error == null) {
            return new NodeReply(node, response.statusCode(), response.reasonPhrase(), response.body(),
                    response.contentType().orElse(null), false);
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof LocalFailure local) {
            return new NodeReply(node, local.statusCode(), local.reason(), new byte[0], null, true);
        }
        return new NodeReply(node, 503, "Service Unavailable (" + cause + ")", new byte[0], null, true);
    }

    /** Runs membership work on the workers, never letting a failure stop the ping timer. */
    void runOnWorkers(Runnable task) {
        runOnWorkers(task, () -> { });
    }

    /** As {@link #runOnWorkers(Runnable)}; {@code whenRejected} runs here instead once the workers have stopped. */
    private void runOnWorkers(Runnable task, Runnable whenRejected) {
        try {
            workers.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("event=membership_task_failed error={}", e.toString(), e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("event=task_rejected reason=shutting_down");
            whenRejected.run();
        }
    }

    private void logChange(NodeInfo before, NodeInfo after) {
        if (before == null) {
            LOG.info("event=node_added node={} peer={} status={}", settings.serverAddress(), after.address(),
                    after.status().wireName());
        } else if (after == null) {
            LOG.info("event=node_removed node={} peer={}", settings.serverAddress(), before.address());
        } else if (before.status() != after.status()) {
            LOG.info("event=node_status node={} peer={} from={} to={}", settings.serverAddress(), after.address(),
                    before.status().wireName(), after.status().wireName());
        }
        if (after != null && after.status() == NodeStatus.ACTIVE && before != null && before.status() != NodeStatus.ACTIVE) {
            stats.nodeRecovered();
        }
    }

    Clock clock() {
        return clock;
    }
}
