package org.kdmq.gateway.transport;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipResponse;

/**
 * What the transaction layer needs from the network. Implementations never block the caller on I/O:
 * futures complete on an event loop, so continuations must be quick or hop to a worker.
 */
public interface SipTransportLayer extends AutoCloseable {
    /**
     * Sends a message to a destination: UDP from our listening socket (so replies come back to it);
     * TCP/TLS over a pooled connection to that address, opened on demand and reused.
     * The future fails (e.g. {@link java.net.ConnectException}) when it cannot be sent.
     */
    CompletableFuture<Void> send(SipMessage message, Transport transport, InetSocketAddress destination);

    /**
     * Sends a response to the request it answers (RFC 3261 section 18.2.2, RFC 3581): on the
     * request's flow while it is open; otherwise to the top Via's received/rport or sent-by.
     */
    CompletableFuture<Void> sendResponse(SipResponse response, InboundMessage request);

    /** The address a listener for that transport is bound to, or null when there is none. */
    InetSocketAddress localAddress(Transport transport);

    /** Sets who receives every parsed inbound message. Called on an event loop: do not block. */
    void setInboundHandler(Consumer<InboundMessage> handler);

    @Override
    void close();
}
