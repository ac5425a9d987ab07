package org.kdmq.gateway.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.kdmq.gateway.sip.message.HeaderNames;
import org.kdmq.gateway.sip.message.NameAddress;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.kdmq.gateway.sip.message.SipSyntaxException;
import org.kdmq.gateway.sip.message.Via;

/** RFC 3261 section 18 (with RFC 3581 rport): where a request came from, where its answer goes. */
final class ResponseRouting {
    private ResponseRouting() {
    }

    /** RFC 3261 18.2.2 and RFC 3581: received (else sent-by) host, rport (else sent-by port, else 5060). */
    static InetSocketAddress udpResponseAddress(SipResponse response, InboundMessage request) {
        Via via;
        try {
            via = response.topVia();
        } catch (SipSyntaxException e) {
            via = null;
        }
        if (via == null) {
            return request.remote();
        }
        String host = via.received() != null ? via.received() : stripBrackets(via.host());
        int port = via.port() > 0 ? via.port() : Transport.UDP.defaultPort();
        String rport = via.rport();
        if (rport != null && !rport.isEmpty()) {
            try {
                port = Integer.parseInt(rport);
            } catch (NumberFormatException ignored) {
                // keep the sent-by port
            }
        }
        // Usually the address the request came from (we stamped received and rport from it): reuse it
        // rather than resolve the host text into a new address per answer.
        InetSocketAddress remote = request.remote();
        InetAddress remoteAddress = remote.getAddress();
        if (port == remote.getPort() && remoteAddress != null && host.equals(remoteAddress.getHostAddress())) {
            return remote;
        }
        return new InetSocketAddress(host, port);
    }

    static InetSocketAddress streamResponseAddress(SipResponse response, InboundMessage request) {
        Via via = response.topVia();
        if (via == null) {
            return request.remote();
        }
        String host = via.received() != null ? via.received() : stripBrackets(via.host());
        int port = via.port() > 0 ? via.port() : request.transport().defaultPort();
        return new InetSocketAddress(host, port);
    }

    /** RFC 3261 18.2.1 and RFC 3581: note where the request really came from in its top Via. */
    static SipRequest stampReceived(SipRequest request, InetSocketAddress source) {
        Via via;
        try {
            via = request.topVia();
        } catch (SipSyntaxException e) {
            return request;
        }
        if (via == null) {
            return request;
        }
        InetAddress address = source.getAddress();
        String sourceIp = address == null ? source.getHostString() : address.getHostAddress();
        boolean rportRequested = "".equals(via.rport());
        boolean hostDiffers = !stripBrackets(via.host()).equalsIgnoreCase(sourceIp);
        if (!rportRequested && !hostDiffers) {
            return request;
        }
        // RFC 3581: with rport asked for, received is added even when the host matches.
        Via stamped = via.withReceived(sourceIp, source.getPort());
        return request.withTopVia(stamped);
    }

    static SipResponse badRequest(SipRequest request, String reason) {
        SipResponse.Builder b = SipResponse.to(request, 400, "Bad Request (" + reason + ")");
        request.headers().first(HeaderNames.TO).ifPresent(to -> {
            if (!NameAddress.hasTag(to)) {
                b.setHeader(HeaderNames.TO, to + ";tag=" + Long.toHexString(System.nanoTime()));
            }
        });
        return b.build();
    }
    static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

}
