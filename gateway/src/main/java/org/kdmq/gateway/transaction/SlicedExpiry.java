package org.kdmq.gateway.transaction;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Forgets what a transaction leaves behind (timers J and K) in slices: one repeating timer for all of
 * them instead of a wheel timeout set per transaction (an object kept alive for seconds, and a hand-off
 * to the timer thread each). An item added now is forgotten between {@code lifetime} and
 * {@code lifetime + lifetime / SLICES} from now; past {@code maxRetained} items the oldest slice goes
 * early, so memory stays bounded whatever the request rate.
 */
final class SlicedExpiry<T> {
    static final int SLICES = 8;

    private final TimerScheduler timers;
    private final long sliceMillis;
    private final int maxRetained;
    private final Consumer<List<T>> forget;
    private final Consumer<Integer> evictedEarly;
    private final ArrayDeque<List<T>> slices = new ArrayDeque<>();
    private List<T> current = new ArrayList<>();
    private boolean ticking;
    private int retained;

    /**
     * @param forget       removes a slice's items from their table (called outside the lock)
     * @param evictedEarly hears how many went before their time because of {@code maxRetained}
     */
    SlicedExpiry(TimerScheduler timers, long lifetimeMillis, int maxRetained, Consumer<List<T>> forget,
                 Consumer<Integer> evictedEarly) {
        this.timers = timers;
        this.sliceMillis = Math.max(1, lifetimeMillis / SLICES);
        this.maxRetained = maxRetained;
        this.forget = forget;
        this.evictedEarly = evictedEarly;
    }

    void add(T item) {
        List<T> evicted = null;
        synchronized (this) {
            current.add(item);
            retained++;
            if (retained > maxRetained && !slices.isEmpty()) {
                evicted = slices.pollFirst();
                retained -= evicted.size();
            }
            if (!ticking) {
                ticking = scheduleTick();
            }
        }
        if (evicted != null) {
            evictedEarly.accept(evicted.size());
            forget.accept(evicted);
        }
    }

    /** Whether the next tick is set: not once the timer has stopped (shutting down, nothing to keep). */
    private boolean scheduleTick() {
        try {
            timers.schedule(this::tick, sliceMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (IllegalStateException | java.util.concurrent.RejectedExecutionException stopped) {
            return false;
        }
    }

    private void tick() {
        List<T> expired = null;
        synchronized (this) {
            slices.addLast(current);
            current = new ArrayList<>();
            if (slices.size() > SLICES) {
                expired = slices.pollFirst();
                retained -= expired.size();
            }
            if (retained == 0) {
                slices.clear();
                ticking = false; // nothing kept: no timer until the next item
            } else {
                ticking = scheduleTick();
            }
        }
        if (expired != null) {
            forget.accept(expired);
        }
    }
}
