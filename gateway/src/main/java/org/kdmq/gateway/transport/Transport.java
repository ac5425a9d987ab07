package org.kdmq.gateway.transport;

import java.util.Locale;

/** The SIP transports we speak. Reliable ones get no retransmissions (RFC 3261 section 17.1.2.2). */
public enum Transport {
    UDP(false, 5060),
    TCP(true, 5060),
    TLS(true, 5061);

    private final boolean reliable;
    private final int defaultPort;

    Transport(boolean reliable, int defaultPort) {
        this.reliable = reliable;
        this.defaultPort = defaultPort;
    }

    public boolean isReliable() {
        return reliable;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** The name as written in a Via sent-protocol ("UDP") . */
    public String viaName() {
        return name();
    }

    /** The name as written in a URI transport parameter ("udp"). */
    public String uriParam() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a Via or URI transport name; null or empty means UDP (RFC 3261 section 19.1.1). */
    public static Transport fromName(String name) {
        if (name == null || name.isEmpty()) {
            return UDP;
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported transport: " + name);
        }
    }
}
