package org.kdmq.gateway.transport;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.kdmq.gateway.sip.message.SipMessage;

/**
 * A received message with where it came from: the transport-agnostic envelope every layer above the
 * transport works with (as Netty's AddressedEnvelope, without Netty types).
 */
public record InboundMessage(SipMessage message, Transport transport, InetSocketAddress remote,
                             InetSocketAddress local, Flow flow) {
    public InboundMessage {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(remote, "remote");
    }
}
