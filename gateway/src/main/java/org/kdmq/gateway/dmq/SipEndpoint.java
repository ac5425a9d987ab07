package org.kdmq.gateway.dmq;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.kdmq.gateway.transport.InboundMessage;
import org.kdmq.gateway.transport.Transport;

/**
 * What the DMQ logic needs from the SIP stack below it: send a request in a client transaction, and
 * receive requests in server transactions. The production implementation sits on the transaction
 * layer; tests can run the DMQ logic on an in-memory one.
 */
public interface SipEndpoint extends AutoCloseable {

    /** A received request and the way to answer it (once; later answers are ignored). */
    interface IncomingRequest {
        SipRequest request();

        InboundMessage inbound();

        void respond(SipResponse response);
    }

    /**
     * Sends a request in a new client transaction; the layer below always adds a new top Via (so a
     * forwarded request keeps the Vias it came with below ours). Completes with the final response,
     * or exceptionally with {@link LocalFailure}: 408 when no answer came in time, 503 when the node
     * could not be reached.
     */
    CompletableFuture<SipResponse> send(SipRequest request, Transport transport, InetSocketAddress destination);

    /** Sets who receives requests. Called on a network thread: the receiver must not block. */
    void onRequest(Consumer<IncomingRequest> receiver);

    /** Where the listener of a transport is bound, or null when there is none. */
    InetSocketAddress localAddress(Transport transport);

    @Override
    void close();
}
