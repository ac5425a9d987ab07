package org.kdmq.bridge;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.kdmq.gateway.api.NodeAddress;

/**
 * Messages another bridge owns, kept for a while in case that bridge dies before publishing them:
 * when the node list drops it, its recent messages are published here instead (at-least-once; the
 * dead bridge may have published some already). Bounded in age and count; the oldest go first.
 */
final class Backlog<T> {
    private record Entry<T>(NodeAddress owner, long atMillis, T message) {
    }

    private final long windowMillis;
    private final int maxEntries;
    private final LongSupplier clock;
    private final Map<Long, Entry<T>> entries = new LinkedHashMap<>();
    private long sequence;
    private long evicted;

    Backlog(long windowMillis, int maxEntries, LongSupplier clock) {
        this.windowMillis = windowMillis;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    synchronized void add(NodeAddress owner, T message) {
        expire();
        if (entries.size() >= maxEntries) {
            Iterator<Long> oldest = entries.keySet().iterator();
            oldest.next();
            oldest.remove();
            evicted++;
        }
        entries.put(sequence++, new Entry<>(owner, clock.getAsLong(), message));
    }

    /** Removes and returns the recent messages that {@code owner} was to publish. */
    synchronized List<T> takeOwnedBy(NodeAddress owner) {
        expire();
        List<T> out = new ArrayList<>();
        for (Iterator<Entry<T>> it = entries.values().iterator(); it.hasNext(); ) {
            Entry<T> e = it.next();
            if (e.owner().equals(owner)) {
                out.add(e.message());
                it.remove();
            }
        }
        return out;
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized long evicted() {
        return evicted;
    }

    private void expire() {
        long limit = clock.getAsLong() - windowMillis;
        for (Iterator<Entry<T>> it = entries.values().iterator(); it.hasNext(); ) {
            if (it.next().atMillis() < limit) {
                it.remove();
            } else {
                break; // insertion order is time order
            }
        }
    }
}
