package org.kdmq.gateway.dmq;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of DMQ traffic for metrics: per channel in/out, answers by status, rejections. */
public final class DmqStats {
    private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, LongAdder>> responses = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> rejected = new ConcurrentHashMap<>();
    private final LongAdder recoveries = new LongAdder();
    private final LongAdder malformedNodeLists = new LongAdder();
    private final LongAdder shed = new LongAdder();

    void requestReceived(String channel) {
        received.computeIfAbsent(channel, c -> new LongAdder()).increment();
    }

    void requestSent(String channel) {
        sent.computeIfAbsent(channel, c -> new LongAdder()).increment();
    }

    void responseSent(String channel, int status) {
        // Keyed without building a "channel status" string per answer: per channel, then per code.
        responses.computeIfAbsent(channel, c -> new ConcurrentHashMap<>())
                .computeIfAbsent(status, c -> new LongAdder()).increment();
    }

    void rejected(int status) {
        rejected.computeIfAbsent(status, c -> new LongAdder()).increment();
    }

    void nodeRecovered() {
        recoveries.increment();
    }

    void malformedNodeList() {
        malformedNodeLists.increment();
    }

    void requestShed() {
        shed.increment();
    }

    /** Channel requests refused with a local 503 because too many were in flight. */
    public long requestsShed() {
        return shed.sum();
    }

    public Map<String, Long> receivedByChannel() {
        return snapshot(received);
    }

    public Map<String, Long> sentByChannel() {
        return snapshot(sent);
    }

    /** Keys are "channel status". */
    public Map<String, Long> responsesByChannelAndStatus() {
        Map<String, Long> out = new java.util.TreeMap<>();
        responses.forEach((channel, byStatus) -> byStatus.forEach((status, n) -> out.put(channel + " " + status, n.sum())));
        return out;
    }

    public Map<Integer, Long> rejectedByStatus() {
        return snapshot(rejected);
    }

    public long nodeRecoveries() {
        return recoveries.sum();
    }

    public long malformedNodeLists() {
        return malformedNodeLists.sum();
    }

    private static <K> Map<K, Long> snapshot(Map<K, LongAdder> counters) {
        Map<K, Long> out = new java.util.TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
