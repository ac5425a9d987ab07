package org.kdmq.gateway.api;

import java.util.Locale;
import java.util.Objects;
import org.kdmq.gateway.sip.message.SipSyntaxException;
import org.kdmq.gateway.sip.message.SipUri;
import org.kdmq.gateway.transport.Transport;

/**
 * A DMQ node's identity: host and port as written in its URI, and its transport. Two addresses are the
 * same node when host, port and transport match, as Kamailio's cmp_dmq_node compares them (the host
 * textually, so "localhost" and "127.0.0.1" are different nodes there and here).
 */
public final class NodeAddress {
    private final String host;
    private final String hostKey;
    private final int port;
    private final Transport transport;
    private final boolean explicitTransport;

    private NodeAddress(String host, int port, Transport transport, boolean explicitTransport) {
        this.host = Objects.requireNonNull(host, "host");
        this.hostKey = host.toLowerCase(Locale.ROOT);
        this.port = port;
        this.transport = transport;
        this.explicitTransport = explicitTransport;
    }

    public static NodeAddress of(String host, int port, Transport transport) {
        return new NodeAddress(host, port, transport, transport != Transport.UDP);
    }

    /** Reads a node URI such as {@code sip:10.0.0.1:5060;transport=tcp}; other params are ignored. */
    public static NodeAddress parse(String uriText) {
        SipUri uri = SipUri.parse(uriText.trim());
        return fromUri(uri);
    }

    public static NodeAddress fromUri(SipUri uri) {
        String transportParam = uri.transport();
        Transport transport;
        try {
            transport = Transport.fromName(transportParam);
        } catch (IllegalArgumentException e) {
            throw new SipSyntaxException("unsupported transport in node URI: " + transportParam);
        }
        if ("sips".equals(uri.scheme())) {
            transport = Transport.TLS;
        }
        if (uri.host() == null || uri.host().isEmpty()) {
            throw new SipSyntaxException("node URI has no host");
        }
        int port = uri.port() > 0 ? uri.port() : transport.defaultPort();
        return new NodeAddress(uri.host(), port, transport, transportParam != null || transport != Transport.UDP);
    }

    public String host() {
        return host;
    }

    /** The host without IPv6 brackets, for socket addresses. */
    public String hostForSocket() {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    public int port() {
        return port;
    }

    public Transport transport() {
        return transport;
    }

    /** "*" when the URI has no transport parameter, as Kamailio's dmq.list_nodes prints proto. */
    public String protoForRpc() {
        return explicitTransport ? transport.uriParam() : "*";
    }

    /** {@code sip:host:port} plus {@code ;transport=x} for non-UDP, as Kamailio's build_node_str writes. */
    public String toUriString() {
        StringBuilder sb = new StringBuilder(40).append("sip:").append(host).append(':').append(port);
        if (transport != Transport.UDP) {
            sb.append(";transport=").append(transport.uriParam());
        }
        return sb.toString();
    }

    /** {@code sip:channel@host:port[;transport=x]}: Request-URI, To and From of a KDMQ request. */
    public String channelUri(String channel) {
        StringBuilder sb = new StringBuilder(48).append("sip:").append(channel).append('@').append(host)
                .append(':').append(port);
        if (transport != Transport.UDP) {
            sb.append(";transport=").append(transport.uriParam());
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeAddress other && port == other.port && transport == other.transport
                && hostKey.equals(other.hostKey);
    }

    @Override
    public int hashCode() {
        return (hostKey.hashCode() * 31 + port) * 31 + transport.hashCode();
    }

    @Override
    public String toString() {
        return toUriString();
    }
}
