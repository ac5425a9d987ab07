package org.kdmq.gateway.transaction;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipResponse;
import org.kdmq.gateway.transport.InboundMessage;
import org.kdmq.gateway.transport.SipTransportLayer;
import org.kdmq.gateway.transport.Transport;

/** A transport that records what is sent (with the virtual time) and lets tests inject messages. */
final class RecordingTransport implements SipTransportLayer {
    record Sent(long atMillis, SipMessage message, InetSocketAddress destination) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final VirtualTimerScheduler clock;
    private Consumer<InboundMessage> handler;
    volatile boolean failSends;

    RecordingTransport(VirtualTimerScheduler clock) {
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Void> send(SipMessage message, Transport transport, InetSocketAddress destination) {
        if (failSends) {
            return CompletableFuture.failedFuture(new java.net.ConnectException("Connection refused"));
        }
        sent.add(new Sent(clock.nowMillis(), message, destination));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> sendResponse(SipResponse response, InboundMessage request) {
        sent.add(new Sent(clock.nowMillis(), response, request.remote()));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public InetSocketAddress localAddress(Transport transport) {
        return new InetSocketAddress("127.0.0.1", 5060);
    }

    @Override
    public void setInboundHandler(Consumer<InboundMessage> handler) {
        this.handler = handler;
    }

    void inject(SipMessage message, Transport transport) {
        handler.accept(new InboundMessage(message, transport, new InetSocketAddress("127.0.0.1", 5070),
                new InetSocketAddress("127.0.0.1", 5060), null));
    }

    @Override
    public void close() {
    }
}
