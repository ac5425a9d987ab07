package org.kdmq.gateway.transport;

/**
 * The connection (TCP/TLS) or socket (UDP) a message arrived on, opaque above the transport layer.
 * A response to a request goes back on its flow while the flow is open (RFC 3261 section 18.2.2).
 */
public interface Flow {
    Transport transport();

    boolean isOpen();
}
