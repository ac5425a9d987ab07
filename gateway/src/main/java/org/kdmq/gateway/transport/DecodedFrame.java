package org.kdmq.gateway.transport;

import java.net.InetSocketAddress;
import org.kdmq.gateway.sip.codec.SipParseException;
import org.kdmq.gateway.sip.message.SipMessage;

/**
 * What the decoders emit (as Netty's stomp decoder emits failed frames rather than throwing): a parsed
 * message or the reason it could not be parsed. {@code sender} is set for datagrams; streams know it
 * from their channel. {@code fatal}: the stream cannot be resynchronised and must be closed.
 */
record DecodedFrame(SipMessage message, SipParseException error, InetSocketAddress sender, InetSocketAddress recipient,
                    boolean fatal) {
    static DecodedFrame ok(SipMessage message, InetSocketAddress sender, InetSocketAddress recipient) {
        return new DecodedFrame(message, null, sender, recipient, false);
    }

    static DecodedFrame failed(SipParseException error, InetSocketAddress sender, InetSocketAddress recipient,
                               boolean fatal) {
        return new DecodedFrame(null, error, sender, recipient, fatal);
    }
}
