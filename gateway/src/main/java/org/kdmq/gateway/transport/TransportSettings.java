package org.kdmq.gateway.transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.kdmq.gateway.sip.codec.SipLimits;

/**
 * Where and how the SIP transports listen. Any listener may be absent (null); port 0 binds an
 * ephemeral port (tests), reported by {@link SipTransportLayer#localAddress}.
 *
 * @param idleTimeout  outbound and accepted TCP/TLS connections idle this long are closed
 * @param ioThreads    Netty event-loop threads (0: Netty's default, 2 x cores)
 */
public record TransportSettings(InetSocketAddress udp, InetSocketAddress tcp, InetSocketAddress tls, TlsConfig tlsConfig,
                                SipLimits limits, Duration idleTimeout, Duration connectTimeout, int ioThreads) {
    public TransportSettings {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (tls != null && tlsConfig == null) {
            throw new IllegalArgumentException("a TLS listener needs TLS settings (certificate and key, or a keystore)");
        }
    }

    /** UDP and TCP on one address, no TLS, default limits and timeouts. */
    public static TransportSettings udpAndTcp(InetSocketAddress address) {
        return new TransportSettings(address, address, null, null, SipLimits.defaults(), Duration.ofSeconds(120),
                Duration.ofSeconds(5), 0);
    }

    public TransportSettings withTls(InetSocketAddress address, TlsConfig config) {
        return new TransportSettings(udp, tcp, address, config, limits, idleTimeout, connectTimeout, ioThreads);
    }

    public TransportSettings withUdp(InetSocketAddress address) {
        return new TransportSettings(address, tcp, tls, tlsConfig, limits, idleTimeout, connectTimeout, ioThreads);
    }

    public TransportSettings withTcp(InetSocketAddress address) {
        return new TransportSettings(udp, address, tls, tlsConfig, limits, idleTimeout, connectTimeout, ioThreads);
    }

    public TransportSettings withIoThreads(int threads) {
        return new TransportSettings(udp, tcp, tls, tlsConfig, limits, idleTimeout, connectTimeout, threads);
    }

    public TransportSettings withIdleTimeout(Duration timeout) {
        return new TransportSettings(udp, tcp, tls, tlsConfig, limits, timeout, connectTimeout, ioThreads);
    }
}
