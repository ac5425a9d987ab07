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
 * @param ioThreads  Netty event-loop threads for SIP (0: Netty's default, twice the cores)
 */
public record GatewayConfig(DmqSettings dmq, InetSocketAddress sipListen, InetSocketAddress tlsListen, TlsConfig tls,
                            Duration t1, Duration t2, Duration timerF, InetSocketAddress adminListen, String adminAuth,
                            Duration shutdownGrace, int ioThreads) {
    public GatewayConfig {
        Objects.requireNonNull(dmq, "dmq");
        Objects.requireNonNull(sipListen, "sipListen");
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must be >= 0");
        }
        if (tlsListen != null && tls == null) {
            throw new IllegalArgumentException("a TLS listener needs a certificate and key (or a keystore)");
        }
    }

    /** A config for a node at server address host:port with Kamailio's defaults and no admin endpoint. */
    public static GatewayConfig of(DmqSettings dmq) {
        return new GatewayConfig(dmq, new InetSocketAddress(dmq.serverAddress().hostForSocket(), dmq.serverAddress().port()),
                null, null, Duration.ofMillis(500), Duration.ofSeconds(4), Duration.ofSeconds(32), null, null,
                Duration.ofSeconds(5), 0);
    }

    public GatewayConfig withTimers(Duration t1, Duration t2, Duration timerF) {
        return new GatewayConfig(dmq, sipListen, tlsListen, tls, t1, t2, timerF, adminListen, adminAuth, shutdownGrace,
                ioThreads);
    }

    public GatewayConfig withAdmin(InetSocketAddress listen, String auth) {
        return new GatewayConfig(dmq, sipListen, tlsListen, tls, t1, t2, timerF, listen, auth, shutdownGrace, ioThreads);
    }

    public GatewayConfig withIoThreads(int threads) {
        return new GatewayConfig(dmq, sipListen, tlsListen, tls, t1, t2, timerF, adminListen, adminAuth, shutdownGrace,
                threads);
    }

    public GatewayConfig withTls(InetSocketAddress listen, TlsConfig config) {
        return new GatewayConfig(dmq, sipListen, listen, config, t1, t2, timerF, adminListen, adminAuth, shutdownGrace,
                ioThreads);
    }

    @Override
    public String toString() {
        return "GatewayConfig[dmq=" + dmq + ", sip=" + sipListen + ", tls=" + tlsListen + ", admin=" + adminListen
                + ", adminAuth=" + (adminAuth == null ? "none" : "set") + "]";
    }
}
