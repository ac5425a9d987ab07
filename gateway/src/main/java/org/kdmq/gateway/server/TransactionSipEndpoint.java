package org.kdmq.gateway.server;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.kdmq.gateway.dmq.LocalFailure;
import org.kdmq.gateway.dmq.SipEndpoint;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.kdmq.gateway.transaction.TransactionLayer;
import org.kdmq.gateway.transport.InboundMessage;
import org.kdmq.gateway.transport.SipTransportLayer;
import org.kdmq.gateway.transport.Transport;

/** The DMQ node's view of the SIP stack: the transaction layer over a transport layer. */
final class TransactionSipEndpoint implements SipEndpoint {
    private final TransactionLayer transactions;
    private final SipTransportLayer transport;

    TransactionSipEndpoint(TransactionLayer transactions, SipTransportLayer transport) {
        this.transactions = transactions;
        this.transport = transport;
    }

    @Override
    public CompletableFuture<SipResponse> send(SipRequest request, Transport t, InetSocketAddress destination) {
        return transactions.sendRequest(request, t, destination).thenApply(outcome -> {
            if (outcome.local()) {
                throw new LocalFailure(outcome.response().statusCode(), outcome.response().reasonPhrase());
            }
            return outcome.response();
        });
    }

    @Override
    public void onRequest(Consumer<IncomingRequest> receiver) {
        transactions.setRequestHandler(tx -> receiver.accept(new IncomingRequest() {
            @Override
            public SipRequest request() {
                return tx.request();
            }

            @Override
            public InboundMessage inbound() {
                return tx.inbound();
            }

            @Override
            public void respond(SipResponse response) {
                tx.respond(response);
            }
        }));
    }

    @Override
    public InetSocketAddress localAddress(Transport t) {
        return transport.localAddress(t);
    }

    @Override
    public void close() {
        transactions.close();
        transport.close();
    }
}
