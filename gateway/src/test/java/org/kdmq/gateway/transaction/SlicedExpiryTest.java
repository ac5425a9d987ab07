package org.kdmq.gateway.transaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Timers J and K in slices, on a virtual clock: on time within a slice, and bounded. */
class SlicedExpiryTest {
    private final VirtualTimerScheduler clock = new VirtualTimerScheduler();
    private final List<String> forgotten = new ArrayList<>();
    private final AtomicInteger early = new AtomicInteger();

    private SlicedExpiry<String> expiry(long lifetimeMillis, int max) {
        return new SlicedExpiry<>(clock, lifetimeMillis, max, forgotten::addAll, early::addAndGet);
    }

    @Test
    void anItemIsForgottenAfterItsLifetimeAndWithinOneSliceMore() {
        SlicedExpiry<String> k = expiry(8000, 100);
        k.add("a");
        clock.advance(Duration.ofMillis(7999));
        assertTrue(forgotten.isEmpty(), "kept for its whole lifetime");
        clock.advance(Duration.ofMillis(1001)); // lifetime + one slice (8000 / 8)
        assertEquals(List.of("a"), forgotten);
        assertEquals(0, early.get());
    }

    @Test
    void pastTheBoundTheOldestSliceGoesEarlyAndIsCounted() {
        SlicedExpiry<String> j = expiry(8000, 3);
        j.add("1");
        j.add("2");
        clock.advance(Duration.ofMillis(1000)); // a slice boundary: 1 and 2 are the oldest slice
        j.add("3");
        j.add("4"); // a fourth item: the oldest slice goes now, not at 8 s
        assertEquals(List.of("1", "2"), forgotten);
        assertEquals(2, early.get());
        clock.advance(Duration.ofSeconds(10));
        assertEquals(List.of("1", "2", "3", "4"), forgotten);
    }

    @Test
    void itStopsTickingWhenEmptyAndStartsAgainOnTheNextItem() {
        SlicedExpiry<String> k = expiry(800, 100);
        k.add("a");
        clock.advance(Duration.ofSeconds(5));
        assertEquals(List.of("a"), forgotten);
        assertEquals(0, clock.pending(), "no timer left while nothing is kept");
        k.add("b");
        clock.advance(Duration.ofMillis(900));
        assertEquals(List.of("a", "b"), forgotten);
    }

    @Test
    void aStoppedTimerDoesNotFailTheAnswerThatAddsAnItem() {
        TimerScheduler stopped = (task, delay, unit) -> {
            throw new IllegalStateException("cannot be started once stopped"); // as Netty's wheel says
        };
        SlicedExpiry<String> j = new SlicedExpiry<>(stopped, 8000, 100, forgotten::addAll, early::addAndGet);
        j.add("a");
        j.add("b");
        assertTrue(forgotten.isEmpty());
    }
}
