package org.kdmq.gateway.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.kdmq.gateway.dmq.DmqSettings;
import org.kdmq.gateway.transport.TlsConfig;

/**
 * Everything a gateway process needs: the DMQ settings (Kamailio's modparams), where SIP listens, the
 * transaction timers, TLS, and the admin endpoint.
 *
 * @param sipListen  the socket UDP and TCP listen on (server_socket; by default server_address's)
 * @param tlsListen  the TLS listener, or null for none
 * @param t1 RFC 3261 T1; @param t2 T2; @param timerF how long a request may go unanswered (fr_timer)
 * @param adminListen the admin HTTP endpoint, or null for none
 * @param adminAuth  null, "user:password" or "Bearer TOKEN"
 */
public record GatewayConfig(DmqSettings dmq, InetSocketAddress sipListen, InetSocketAddress tlsListen, TlsConfig tls,
                            Duration t1, Duration t2, Duration timerF, InetSocketAddress adminListen, String adminAuth,
                            Duration shutdownGrace) {
    public GatewayConfig {
        Objects.requireNonNull(dmq, "dmq");
        Objects.requireNonNull(sipListen, "sipListen");
        if (tlsListen != null && tls == null) {
            throw new IllegalArgumentException("a TLS listener needs a certificate and key (or a keystore)");
        }
    }

    @Override
    public String toString() {
        return "GatewayConfig[dmq=" + dmq + ", sip=" + sipListen + ", tls=" + tlsListen + ", admin=" + adminListen
                + ", adminAuth=" + (adminAuth == null ? "none" : "set") + "]";
    }
}
