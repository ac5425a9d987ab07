package org.kdmq.gateway.transaction;

import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.kdmq.gateway.transport.InboundMessage;

/** A received non-INVITE request (RFC 3261 section 17.2.2) as the application sees it. */
public interface ServerTransaction {
    SipRequest request();

    InboundMessage inbound();

    /**
     * Sends a response. Thread-safe: provisional responses may precede the final one; the first final
     * response wins and later ones are ignored. A To tag is added when the request's To had none.
     */
    void respond(SipResponse response);
}
