package org.kdmq.gateway.dmq;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.api.NodeStatus;

/**
 * The cluster as this node sees it, with Kamailio's dmq rules (notification_peer.c, dmqnode.c):
 * newest entries first, the local node once, notification addresses marked and never deleted.
 * All methods are short and hold the monitor only for list work: never during I/O or DNS, and no
 * error path can leave it held (Kamailio 5.6.3 keeps its lock after a bad list; see the README).
 */
public final class NodeList {
    /** Receives every status change, outside the lock. */
    public interface Listener {
        void onChange(NodeInfo before, NodeInfo after);
    }

    private static final class Entry {
        final NodeAddress address;
        final boolean local;
        final InetAddress resolvedIp;
        boolean notificationAddress;
        NodeStatus status;
        long lastNotification;
        int failCount;

        Entry(NodeAddress address, boolean local, InetAddress resolvedIp, NodeStatus status) {
            this.address = address;
            this.local = local;
            this.resolvedIp = resolvedIp;
            this.status = status;
        }

        NodeInfo snapshot() {
            return new NodeInfo(address, status, local, resolvedIp, lastNotification, failCount, notificationAddress);
        }
    }

    private final MembershipPolicy policy;
    private final List<Entry> entries = new ArrayList<>();
    /** The same entries by address, so merging a list of n lines costs O(n), not O(n * size). */
    private final java.util.Map<NodeAddress, Entry> index = new java.util.HashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final int maxNodes;

    public NodeList(NodeAddress self, InetAddress selfIp, MembershipPolicy policy, int maxNodes) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.maxNodes = maxNodes;
        insert(new Entry(self, true, selfIp, NodeStatus.ACTIVE));
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Adds a notification address, active as Kamailio adds it, unless that node is already listed. */
    public boolean addNotificationAddress(NodeAddress address, InetAddress resolvedIp) {
        NodeInfo after;
        synchronized (this) {
            Entry existing = find(address);
            if (existing != null) {
                if (!existing.local) {
                    existing.notificationAddress = true;
                }
                return false;
            }
            Entry e = new Entry(address, false, resolvedIp, NodeStatus.ACTIVE);
            e.notificationAddress = true;
            insert(e);
            after = e.snapshot();
        }
        fire(null, after);
        return true;
    }

    /** Adds a node by hand (RPC dmq.add); false when it is already listed or the list is full. */
    public boolean add(NodeAddress address, InetAddress resolvedIp, NodeStatus status) {
        NodeInfo after;
        synchronized (this) {
            if (find(address) != null || entries.size() >= maxNodes) {
                return false;
            }
            Entry e = new Entry(address, false, resolvedIp, status);
            insert(e);
            after = e.snapshot();
        }
        fire(null, after);
        return true;
    }

    /**
     * Merges a received list (extract_node_list): unknown nodes are added with the line's status
     * (active when it has none); a known, non-local, non-disabled node takes the line's status.
     * Lines naming the same node twice (a Kamailio node notifying itself) count once.
     *
     * @param resolved the resolved IP of each line's host, looked up before calling (no DNS in here)
     * @param sender the node the list came from, whose last_notification is stamped; may be null
     * @return how many nodes were added or changed
     */
    public int merge(List<NodeListBody.Line> lines, java.util.function.Function<NodeAddress, InetAddress> resolved,
                     NodeAddress sender, long nowEpochSeconds) {
        List<NodeInfo[]> changes = new ArrayList<>();
        synchronized (this) {
            for (NodeListBody.Line line : lines) {
                Entry e = find(line.address());
                if (e == null) {
                    if (entries.size() >= maxNodes) {
                        continue;
                    }
                    NodeStatus status = line.status() == null ? NodeStatus.ACTIVE : line.status();
                    e = new Entry(line.address(), false, resolved.apply(line.address()), status);
                    insert(e);
                    changes.add(new NodeInfo[] {null, e.snapshot()});
                } else if (!e.local && line.status() != null && e.status != line.status()
                        && e.status != NodeStatus.DISABLED) {
                    NodeInfo before = e.snapshot();
                    e.status = line.status();
                    changes.add(new NodeInfo[] {before, e.snapshot()});
                }
            }
            if (sender != null) {
                Entry from = find(sender);
                if (from != null && !from.local) {
                    from.lastNotification = nowEpochSeconds;
                }
            }
        }
        changes.forEach(c -> fire(c[0], c[1]));
        return changes.size();
    }

    /** A 200 from the node (notification_resp_callback_f): it is active, its fail count reset. */
    public void onAnswered(NodeAddress address) {
        NodeInfo before;
        NodeInfo after;
        synchronized (this) {
            Entry e = find(address);
            if (e == null || e.local) {
                return;
            }
            e.failCount = 0;
            if (e.status == NodeStatus.ACTIVE) {
                return;
            }
            before = e.snapshot();
            e.status = NodeStatus.ACTIVE;
            after = e.snapshot();
        }
        fire(before, after);
    }

    /**
     * A request to the node timed out (local 408). Kamailio's rules: a disabled node is deleted
     * (here: unless it is a notification address, which is only ever marked); with fail counting,
     * active -> not_active past the first threshold and not_active -> disabled past the second;
     * without it, a notification address becomes not_active and any other node disabled
     * (or not_active when remove_inactive is off).
     */
    public void onTimeout(NodeAddress address) {
        NodeInfo before;
        NodeInfo after;
        synchronized (this) {
            Entry e = find(address);
            if (e == null || e.local) {
                return;
            }
            before = e.snapshot();
            if (e.status == NodeStatus.DISABLED && !e.notificationAddress) {
                delete(e);
                after = null;
            } else {
                if (policy.failCountEnabled()) {
                    e.failCount++;
                    if (e.failCount > policy.failCountThresholdDisabled() && e.status == NodeStatus.NOT_ACTIVE
                            && !e.notificationAddress) {
                        e.status = NodeStatus.DISABLED;
                    } else if (e.failCount > policy.failCountThresholdNotActive() && e.status == NodeStatus.ACTIVE) {
                        e.status = NodeStatus.NOT_ACTIVE;
                    }
                } else if (e.notificationAddress || !policy.removeInactive()) {
                    e.status = NodeStatus.NOT_ACTIVE;
                } else {
                    e.status = NodeStatus.DISABLED;
                }
                after = e.snapshot();
                if (before.equals(after)) {
                    return;
                }
            }
        }
        fire(before, after);
    }

    /** Sets a status by hand (RPC dmq.change_status); false when the node is unknown or local. */
    public boolean changeStatus(NodeAddress address, NodeStatus status) {
        NodeInfo before;
        NodeInfo after;
        synchronized (this) {
            Entry e = find(address);
            if (e == null || e.local) {
                return false;
            }
            before = e.snapshot();
            e.status = status;
            e.failCount = 0;
            after = e.snapshot();
        }
        if (!before.equals(after)) {
            fire(before, after);
        }
        return true;
    }

    /** Deletes a node (RPC dmq.remove); the local node cannot be removed. */
    public boolean remove(NodeAddress address) {
        NodeInfo before;
        synchronized (this) {
            Entry e = find(address);
            if (e == null || e.local) {
                return false;
            }
            delete(e);
            before = e.snapshot();
        }
        fire(before, null);
        return true;
    }

    public synchronized List<NodeInfo> snapshot() {
        List<NodeInfo> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(e.snapshot());
        }
        return List.copyOf(out);
    }

    public synchronized Optional<NodeInfo> find(NodeAddress address, boolean includeLocal) {
        Entry e = find(address);
        return e == null || (e.local && !includeLocal) ? Optional.empty() : Optional.of(e.snapshot());
    }

    public synchronized NodeInfo self() {
        for (Entry e : entries) {
            if (e.local) {
                return e.snapshot();
            }
        }
        throw new IllegalStateException("no local node");
    }

    /** Non-local nodes matching a filter, newest first. */
    public synchronized List<NodeInfo> remotes(Predicate<NodeInfo> filter) {
        List<NodeInfo> out = new ArrayList<>();
        for (Entry e : entries) {
            if (!e.local) {
                NodeInfo info = e.snapshot();
                if (filter.test(info)) {
                    out.add(info);
                }
            }
        }
        return out;
    }

    /** True when only the local node is listed (Kamailio then re-runs the join on the next ping). */
    public synchronized boolean isAlone() {
        return entries.size() == 1;
    }

    public synchronized int size() {
        return entries.size();
    }

    /** What goes into a notification body: the local node and every active node, list order. */
    public synchronized List<NodeListBody.Line> notificationLines() {
        List<NodeListBody.Line> lines = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (e.local || e.status == NodeStatus.ACTIVE) {
                lines.add(new NodeListBody.Line(e.address, e.local ? NodeStatus.ACTIVE : e.status));
            }
        }
        return lines;
    }

    /** dmq_is_from_node: the source IP is the resolved IP of a non-local node (IP only, not port). */
    public synchronized boolean isFromNode(InetAddress source) {
        for (Entry e : entries) {
            if (!e.local && e.resolvedIp != null && e.resolvedIp.equals(source)) {
                return true;
            }
        }
        return false;
    }

    private Entry find(NodeAddress address) {
        return index.get(address);
    }

    /** Newest first, as Kamailio prepends. */
    private void insert(Entry e) {
        entries.add(0, e);
        index.put(e.address, e);
    }

    private void delete(Entry e) {
        entries.remove(e);
        index.remove(e.address, e);
    }

    private void fire(NodeInfo before, NodeInfo after) {
        for (Listener l : listeners) {
            l.onChange(before, after);
        }
    }
}
