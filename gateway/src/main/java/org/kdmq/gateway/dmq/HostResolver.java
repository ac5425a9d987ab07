package org.kdmq.gateway.dmq;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Resolves node hosts to IP addresses. IP literals never touch DNS. Called on worker threads only
 * (the default blocks in the JDK resolver, which caches per networkaddress.cache.ttl).
 */
@FunctionalInterface
public interface HostResolver {
    InetAddress resolve(String host) throws UnknownHostException;

    /** The address, or null when the host does not resolve. */
    default InetAddress resolveQuietly(String host) {
        try {
            return resolve(host);
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }

    static HostResolver system() {
        return InetAddress::getByName;
    }
}
