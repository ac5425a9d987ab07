package org.kdmq.gateway.dmq;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.kdmq.gateway.api.NodeAddress;

/**
 * The DMQ node's configuration, after Kamailio's dmq modparams (same names, defaults and units) plus
 * the limits Kamailio hard-codes or lacks.
 *
 * @param serverAddress     server_address: our node URI, identity in lists and From
 * @param notificationAddresses notification_address (repeatable): seed nodes to join through
 * @param notificationChannel notification_channel
 * @param multiNotify       multi_notify: resolve the single notification address to all its hosts
 * @param numWorkers        num_workers: threads that run channel handlers (HANDLE mode)
 * @param workerUsleep      worker_usleep: accepted for compatibility; our workers block on a queue, so
 *                          it has no effect (documented in the README)
 * @param pingInterval      ping_interval; Kamailio raises values below 60 s to 60, we accept down to 1 s
 * @param policy            remove_inactive and the fail_count_* parameters
 * @param maxNodes          node-list size limit (Kamailio: about 30, a 1 KiB buffer); beyond it, 503
 * @param maxBodySize       KDMQ body limit; beyond it, 413
 * @param maxChannelLength  channel name limit; beyond it, 400
 * @param maxQueuedPerWorkerQueue requests waiting for a worker before new ones get 503
 * @param onlyFromKnownNodes optional security: accept KDMQ only from the IPs of listed nodes and
 *                          notification addresses (off by default, as Kamailio has no such check)
 * @param dnsServers        DNS servers for multi_notify lookups; empty means the system's (resolv.conf)
 * @param maxPendingRequests channel requests this node may have sent and not yet seen answered; beyond
 *                          it a send fails at once with a local 503 (load shed at the source instead of
 *                          retransmissions piling up past saturation); membership traffic is exempt
 */
public record DmqSettings(NodeAddress serverAddress, List<String> notificationAddresses, String notificationChannel,
                          boolean multiNotify, int numWorkers, int workerUsleep, Duration pingInterval,
                          MembershipPolicy policy, int maxNodes, int maxBodySize, int maxChannelLength,
                          int maxQueuedPerWorkerQueue, boolean onlyFromKnownNodes,
                          List<java.net.InetSocketAddress> dnsServers, int maxPendingRequests) {

    public static final String DEFAULT_NOTIFICATION_CHANNEL = "notification_peer";

    public DmqSettings {
        Objects.requireNonNull(serverAddress, "server_address");
        notificationAddresses = List.copyOf(notificationAddresses);
        dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
        Objects.requireNonNull(notificationChannel, "notification_channel");
        Objects.requireNonNull(pingInterval, "ping_interval");
        Objects.requireNonNull(policy, "policy");
        if (numWorkers < 1) {
            throw new IllegalArgumentException("num_workers must be at least 1");
        }
        if (workerUsleep < 0) {
            throw new IllegalArgumentException("worker_usleep must be >= 0");
        }
        if (pingInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("ping_interval must be at least 1 second");
        }
        if (multiNotify && notificationAddresses.size() > 1) {
            throw new IllegalArgumentException("multi_notify takes exactly one notification_address");
        }
        if (maxNodes < 2 || maxBodySize < 1 || maxChannelLength < 1 || maxQueuedPerWorkerQueue < 1 || maxPendingRequests < 1) {
            throw new IllegalArgumentException("limits must be positive (max nodes at least 2)");
        }
    }

    public static Builder builder(NodeAddress serverAddress) {
        return new Builder(serverAddress);
    }

    public static final class Builder {
        private final NodeAddress serverAddress;
        private List<String> notificationAddresses = List.of();
        private String notificationChannel = DEFAULT_NOTIFICATION_CHANNEL;
        private boolean multiNotify;
        private int numWorkers = 2;
        private int workerUsleep;
        private Duration pingInterval = Duration.ofSeconds(60);
        private MembershipPolicy policy = MembershipPolicy.KAMAILIO_DEFAULTS;
        private int maxNodes = 10_000;
        private int maxBodySize = 60 * 1024;
        private int maxChannelLength = 64;
        private int maxQueued = 10_000;
        private boolean onlyFromKnownNodes;
        private List<java.net.InetSocketAddress> dnsServers = List.of();
        private int maxPendingRequests = 5_000;

        private Builder(NodeAddress serverAddress) {
            this.serverAddress = serverAddress;
        }

        public Builder notificationAddresses(List<String> v) { notificationAddresses = v; return this; }
        public Builder notificationChannel(String v) { notificationChannel = v; return this; }
        public Builder multiNotify(boolean v) { multiNotify = v; return this; }
        public Builder numWorkers(int v) { numWorkers = v; return this; }
        public Builder workerUsleep(int v) { workerUsleep = v; return this; }
        public Builder pingInterval(Duration v) { pingInterval = v; return this; }
        public Builder policy(MembershipPolicy v) { policy = v; return this; }
        public Builder maxNodes(int v) { maxNodes = v; return this; }
        public Builder maxBodySize(int v) { maxBodySize = v; return this; }
        public Builder maxChannelLength(int v) { maxChannelLength = v; return this; }
        public Builder maxQueued(int v) { maxQueued = v; return this; }
        public Builder onlyFromKnownNodes(boolean v) { onlyFromKnownNodes = v; return this; }
        public Builder dnsServers(List<java.net.InetSocketAddress> v) { dnsServers = v; return this; }
        public Builder maxPendingRequests(int v) { maxPendingRequests = v; return this; }

        public DmqSettings build() {
            return new DmqSettings(serverAddress, notificationAddresses, notificationChannel, multiNotify, numWorkers,
                    workerUsleep, pingInterval, policy, maxNodes, maxBodySize, maxChannelLength, maxQueued,
                    onlyFromKnownNodes, dnsServers, maxPendingRequests);
        }
    }
}
