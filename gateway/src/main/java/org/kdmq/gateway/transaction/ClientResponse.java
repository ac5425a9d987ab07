package org.kdmq.gateway.transaction;

import org.kdmq.gateway.sip.message.SipResponse;

/**
 * The final response of a client transaction. {@code local} when no response came from the network
 * and the transaction made one: 408 (timer F) or 503 (the request could not be sent).
 */
public record ClientResponse(SipResponse response, boolean local) {
}
