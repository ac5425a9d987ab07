package org.kdmq.gateway.dmq;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.kdmq.gateway.sip.message.HeaderNames;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.kdmq.gateway.transport.InboundMessage;
import org.kdmq.gateway.transport.Transport;

/**
 * An in-memory network of SipEndpoints for testing the DMQ logic without sockets or timers: a request
 * to an address that is down (or has no endpoint) fails at once with a local 408, as timer F would.
 * Requests are delivered on one thread per network, in order.
 */
final class InMemorySipNetwork implements AutoCloseable {
    private final Map<InetSocketAddress, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Set<InetSocketAddress> down = ConcurrentHashMap.newKeySet();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "in-memory-sip");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong branches = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();

    Endpoint endpoint(InetSocketAddress address) {
        Endpoint e = new Endpoint(address);
        endpoints.put(address, e);
        return e;
    }

    private final Set<java.util.List<InetSocketAddress>> cut = ConcurrentHashMap.newKeySet();

    /** Splits the network: nothing passes between a node of one side and a node of the other. */
    void partition(java.util.Collection<InetSocketAddress> left, java.util.Collection<InetSocketAddress> right) {
        for (InetSocketAddress l : left) {
            for (InetSocketAddress r : right) {
                cut.add(java.util.List.of(l, r));
                cut.add(java.util.List.of(r, l));
            }
        }
    }

    void heal() {
        cut.clear();
    }

    private boolean blocked(InetSocketAddress from, InetSocketAddress to) {
        return down.contains(from) || down.contains(to) || cut.contains(java.util.List.of(from, to));
    }

    /** Requests to this address now time out (a dead node or a partition). */
    void takeDown(InetSocketAddress address) {
        down.add(address);
    }

    void bringUp(InetSocketAddress address) {
        down.remove(address);
    }

    private final java.util.List<KdmqNode> nodes = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Starts a node on an endpoint of its own server address; {@link #close} shuts it down. */
    KdmqNode start(DmqSettings settings) {
        return start(settings, endpoint(new InetSocketAddress(settings.serverAddress().host(), settings.serverAddress().port())));
    }

    /** Starts a node on the given endpoint; {@link #close} shuts it down. */
    KdmqNode start(DmqSettings settings, Endpoint endpoint) {
        KdmqNode node = new KdmqNode(settings, endpoint, HostResolver.system(), java.time.Clock.systemUTC());
        node.start();
        nodes.add(node);
        return node;
    }

    /** The nodes started here, in start order (a test may take out one it has shut down itself). */
    java.util.List<KdmqNode> nodes() {
        return nodes;
    }

    @Override
    public void close() {
        nodes.forEach(n -> n.shutdown(java.time.Duration.ZERO));
        delivery.shutdownNow();
    }

    final class Endpoint implements SipEndpoint {
        private final InetSocketAddress address;
        private volatile Consumer<IncomingRequest> receiver;
        private final AtomicBoolean closed = new AtomicBoolean();

        Endpoint(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public CompletableFuture<SipResponse> send(SipRequest request, Transport transport, InetSocketAddress destination) {
            SipRequest withVia = request.toBuilder().headers(request.headers().toBuilder()
                    .addFirst(HeaderNames.VIA, "SIP/2.0/" + transport.viaName() + " " + address.getHostString() + ":"
                            + address.getPort() + ";branch=z9hG4bK-mem-" + branches.incrementAndGet())
                    .build()).build();
            CompletableFuture<SipResponse> result = new CompletableFuture<>();
            delivery.execute(() -> {
                Endpoint target = endpoints.get(destination);
                if (closed.get() || target == null || target.closed.get() || target.receiver == null
                        || blocked(address, destination)) {
                    result.completeExceptionally(new LocalFailure(408, "Request Timeout (in-memory)"));
                    return;
                }
                delivered.incrementAndGet();
                InboundMessage inbound = new InboundMessage(withVia, transport, address, destination, null);
                target.receiver.accept(new IncomingRequest() {
                    private final AtomicBoolean answered = new AtomicBoolean();

                    @Override
                    public SipRequest request() {
                        return withVia;
                    }

                    @Override
                    public InboundMessage inbound() {
                        return inbound;
                    }

                    @Override
                    public void respond(SipResponse response) {
                        if (!answered.compareAndSet(false, true)) {
                            return;
                        }
                        if (blocked(destination, address)) {
                            result.completeExceptionally(new LocalFailure(408, "Request Timeout (in-memory)"));
                        } else {
                            result.complete(response);
                        }
                    }
                });
            });
            return result;
        }

        /** Delivers a request to this endpoint as if {@code from} had sent it (replaying recordings). */
        CompletableFuture<SipResponse> inject(SipRequest request, InetSocketAddress from, Transport transport) {
            CompletableFuture<SipResponse> result = new CompletableFuture<>();
            InboundMessage inbound = new InboundMessage(request, transport, from, address, null);
            delivery.execute(() -> receiver.accept(new IncomingRequest() {
                @Override
                public SipRequest request() {
                    return request;
                }

                @Override
                public InboundMessage inbound() {
                    return inbound;
                }

                @Override
                public void respond(SipResponse response) {
                    result.complete(response);
                }
            }));
            return result;
        }

        @Override
        public void onRequest(Consumer<IncomingRequest> receiver) {
            this.receiver = receiver;
        }

        @Override
        public InetSocketAddress localAddress(Transport transport) {
            return address;
        }

        @Override
        public void close() {
            closed.set(true);
            endpoints.remove(address, this);
        }
    }
}
