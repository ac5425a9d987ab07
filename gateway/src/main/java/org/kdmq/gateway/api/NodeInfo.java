package org.kdmq.gateway.api;

import java.net.InetAddress;

/**
 * A snapshot of one entry of the node list, with the fields Kamailio's dmq.list_nodes shows
 * (host, port, proto, resolved_ip, status, last_notification, local) plus our own bookkeeping.
 *
 * @param lastNotification epoch seconds of the last node list received from this node, 0 if none
 * @param failCount consecutive failed requests (only counted with fail_count_enabled)
 * @param notificationAddress whether this node is one of our notification addresses (never deleted)
 */
public record NodeInfo(NodeAddress address, NodeStatus status, boolean local, InetAddress resolvedIp,
                       long lastNotification, int failCount, boolean notificationAddress) {

    public boolean isActive() {
        return status == NodeStatus.ACTIVE;
    }

    /** The resolved IP as text, or "" when the host could not be resolved. */
    public String resolvedIpText() {
        return resolvedIp == null ? "" : resolvedIp.getHostAddress();
    }
}
