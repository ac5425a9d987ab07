package org.kdmq.gateway.transaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Timer J's table, on a clock the test moves. */
class AnsweredTableTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final LongAdder evicted = new LongAdder();

    private AnsweredTable<String> table(int max, long lifetime) {
        return new AnsweredTable<>(max, lifetime, now::get, evicted);
    }

    @Test
    void findsByKeyAndMethodAndCancelFindsAnyMethod() {
        AnsweredTable<String> t = table(1 << 12, 32_000);
        t.put("z9hG4bK1|10.0.0.1:5060|", "KDMQ", "200 OK", 0xabcL);
        AnsweredTable.Found<String> f = t.find("z9hG4bK1|10.0.0.1:5060|", "KDMQ");
        assertEquals("200 OK", f.answer());
        assertEquals(0xabcL, f.tag());
        assertNull(t.find("z9hG4bK1|10.0.0.1:5060|", "OPTIONS"), "another method is another transaction");
        assertNull(t.find("z9hG4bK2|10.0.0.1:5060|", "KDMQ"));
        assertTrue(t.containsAnyMethod("z9hG4bK1|10.0.0.1:5060|"));
        assertFalse(t.containsAnyMethod("z9hG4bK1|10.0.0.2:5060|"));
    }

    @Test
    void anAnswerLastsItsLifetimeAndNoLonger() {
        AnsweredTable<String> t = table(1 << 12, 32_000);
        t.put("k|", "KDMQ", "a", 0);
        now.addAndGet(31_999);
        assertEquals("a", t.find("k|", "KDMQ").answer());
        now.addAndGet(1);
        assertNull(t.find("k|", "KDMQ"));
        assertFalse(t.containsAnyMethod("k|"));
    }

    @Test
    void theNewestAnswerForAKeyWins() {
        AnsweredTable<String> t = table(1 << 12, 32_000);
        t.put("k|", "KDMQ", "first", 0);
        now.addAndGet(10);
        t.put("k|", "KDMQ", "second", 0);
        assertEquals("second", t.find("k|", "KDMQ").answer());
    }

    @Test
    void pastItsBoundTheOldestGoEarlyAndAreCounted() {
        int max = 16 * 64;
        AnsweredTable<String> t = table(max, 32_000);
        int n = 5 * max;
        for (int i = 0; i < n; i++) {
            t.put("k" + i + "|", "KDMQ", "a" + i, i);
        }
        assertTrue(t.size() <= max, "size " + t.size());
        assertEquals(n - t.size(), evicted.sum());
        assertEquals("a" + (n - 1), t.find("k" + (n - 1) + "|", "KDMQ").answer(), "the newest is kept");
        assertNull(t.find("k0|", "KDMQ"), "the oldest went early");
    }

    @Test
    void aTableOfOneRowPerStripeStillWorks() {
        AnsweredTable<String> t = table(1, 32_000);
        for (int i = 0; i < 100; i++) {
            t.put("k" + i + "|", "KDMQ", "a" + i, i);
        }
        assertTrue(t.size() <= 16, "size " + t.size());
        assertEquals("a99", t.find("k99|", "KDMQ").answer());
        assertEquals(100 - t.size(), evicted.sum());
    }

    @Test
    void growingKeepsEveryAnswer() {
        AnsweredTable<String> t = table(1 << 16, 32_000);
        for (int i = 0; i < 20_000; i++) {
            t.put("k" + i + "|", "KDMQ", "a" + i, i);
        }
        assertEquals(20_000, t.size());
        for (int i = 0; i < 20_000; i++) {
            AnsweredTable.Found<String> f = t.find("k" + i + "|", "KDMQ");
            assertEquals("a" + i, f.answer());
            assertEquals(i, f.tag());
        }
        assertEquals(0, evicted.sum());
    }

    @Test
    void aTableForHalfAMillionAnswersHoldsThemAllInStripesOfSmallArrays() {
        int max = 1 << 19; // the transaction layer's bound: 64 stripes of at most 8192 rows
        AnsweredTable<String> t = table(max, 32_000);
        for (int i = 0; i < 400_000; i++) {
            t.put("z9hG4bK" + i + "|", "KDMQ", "a" + i, i);
        }
        assertEquals(400_000, t.size());
        assertEquals(0, evicted.sum(), "no stripe filled before the table did");
        assertTrue(t.largestArrayBytes() <= 256 * 1024,
                "under G1's humongous size (512 KiB): " + t.largestArrayBytes() + " bytes");
        for (int i = 0; i < 400_000; i += 97) {
            assertEquals("a" + i, t.find("z9hG4bK" + i + "|", "KDMQ").answer());
        }
        for (int i = 400_000; i < max + 100_000; i++) {
            t.put("z9hG4bK" + i + "|", "KDMQ", "a" + i, i);
        }
        assertTrue(t.size() <= max, "size " + t.size());
    }

    /** Random arrivals, lookups and expiries against a plain map: the index survives every deletion. */
    @Test
    void agreesWithAPlainMapThroughChurn() {
        AnsweredTable<String> t = table(1 << 14, 500);
        Map<String, Long> expiry = new HashMap<>();
        Random random = new Random(42);
        for (int op = 0; op < 200_000; op++) {
            String key = "k" + random.nextInt(3_000) + "|";
            if (random.nextInt(3) == 0) {
                t.put(key, "KDMQ", key, 0);
                expiry.put(key, now.get() + 500);
            } else {
                Long until = expiry.get(key);
                boolean live = until != null && until > now.get();
                AnsweredTable.Found<String> f = t.find(key, "KDMQ");
                assertEquals(live, f != null, key + " at op " + op);
                if (live) {
                    assertEquals(key, f.answer());
                }
            }
            now.addAndGet(random.nextInt(3));
        }
        assertEquals(0, evicted.sum(), "the bound was never reached");
    }
}
