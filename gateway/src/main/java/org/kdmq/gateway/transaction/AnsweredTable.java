package org.kdmq.gateway.transaction;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Timer J's memory: the answered server transactions over UDP, each kept for a fixed time to answer
 * retransmissions of its request, at most about {@code maxEntries} of them (each stripe's share is
 * rounded up to a power of two).
 *
 * <p>At 15k requests/s timer J (32 s) keeps half a million answers. As map entries (a key String, a node,
 * an answer object each) they all outlived several young collections and were copied into the old
 * generation, and their table dirtied cards as it took young nodes: over a tenth of a node's CPU went
 * to the collector. Here an entry is a row of primitive arrays: a 128-bit hash of its key (the key
 * without its method, and the method's hash apart, so that a CANCEL finds its transaction whatever
 * the method), its expiry, a tag, and a reference to an answer template most answers share.
 *
 * <p>Entries expire in the order they came (one lifetime for all), so each stripe is a ring in arrival
 * order with an open-addressed index beside it; expired rows go when their stripe next takes one, and
 * never match before that. Stripes, each under its own lock, let the I/O threads add at once. A stripe
 * grows by doubling up to its share of {@code maxEntries}; past that its oldest row goes early, counted.
 * The hash seeds are random per table, so nobody can choose keys that collide.
 */
final class AnsweredTable<A> {
    private static final int MIN_STRIPES = 16;
    /**
     * A stripe's largest array (its rows, four longs each) stays at 256 KiB: under G1's humongous size
     * (half a region, 512 KiB at the smallest), so that no array takes whole regions of its own. At 10k
     * answers/s over 16 stripes the rows were 1 MiB arrays plus a header, in two regions each, and their
     * index in one: 49 humongous regions for 28 MiB of table.
     */
    private static final int MAX_ROWS_PER_STRIPE = 8192;
    private static final int INITIAL_ROWS = 64;

    private final long lifetimeMillis;
    private final LongSupplier clock;
    private final LongAdder evictedEarly;
    private final int maxRowsPerStripe;
    private final long seed1 = ThreadLocalRandom.current().nextLong() | 1;
    private final long seed2 = ThreadLocalRandom.current().nextLong() | 1;
    private final Stripe<A>[] stripes;
    private final int stripeShift;

    /** What a lookup found: the answer template and the tag kept with it. */
    record Found<A>(A answer, long tag) {
    }

    AnsweredTable(int maxEntries, long lifetimeMillis, LongSupplier clockMillis, LongAdder evictedEarly) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.lifetimeMillis = lifetimeMillis;
        this.clock = clockMillis;
        this.evictedEarly = evictedEarly;
        int stripeCount = Math.max(MIN_STRIPES, ceilPowerOfTwo(maxEntries / MAX_ROWS_PER_STRIPE));
        @SuppressWarnings("unchecked")
        Stripe<A>[] created = new Stripe[stripeCount];
        this.stripes = created;
        this.stripeShift = Long.SIZE - Integer.numberOfTrailingZeros(stripeCount);
        // A power of two, as rows double.
        this.maxRowsPerStripe = ceilPowerOfTwo(Math.max(1, maxEntries / stripeCount));
        for (int i = 0; i < stripeCount; i++) {
            stripes[i] = new Stripe<>(Math.min(INITIAL_ROWS, maxRowsPerStripe));
        }
    }

    /** Keeps {@code answer} (with {@code tag}) for the transaction {@code keyWithoutMethod} + {@code method}. */
    void put(String keyWithoutMethod, String method, A answer, long tag) {
        long[] h = hash(keyWithoutMethod);
        long now = clock.getAsLong();
        Stripe<A> s = stripeOf(h);
        synchronized (s) {
            s.expire(now);
            if (s.count == s.rows()) {
                if (s.rows() < maxRowsPerStripe) {
                    s.grow();
                } else {
                    s.removeOldest();
                    evictedEarly.increment();
                }
            }
            s.add(h[0], h[1], method.hashCode(), now + lifetimeMillis, tag, answer);
        }
    }

    /** The live answer for the transaction, or null. */
    Found<A> find(String keyWithoutMethod, String method) {
        long[] h = hash(keyWithoutMethod);
        Stripe<A> s = stripeOf(h);
        synchronized (s) {
            int row = s.find(h[0], h[1], method.hashCode(), true, clock.getAsLong());
            return row < 0 ? null : new Found<>(s.answer(row), s.tag(row));
        }
    }

    /** Whether any live answer has this key, whatever its method (what a CANCEL asks). */
    boolean containsAnyMethod(String keyWithoutMethod) {
        long[] h = hash(keyWithoutMethod);
        Stripe<A> s = stripeOf(h);
        synchronized (s) {
            return s.find(h[0], h[1], 0, false, clock.getAsLong()) >= 0;
        }
    }

    /** Rows held, expired ones not yet dropped included. */
    int size() {
        int n = 0;
        for (Stripe<A> s : stripes) {
            synchronized (s) {
                n += s.count;
            }
        }
        return n;
    }

    /** The largest array any stripe holds now, in bytes without its header: what G1 must place. */
    long largestArrayBytes() {
        long largest = 0;
        for (Stripe<A> s : stripes) {
            synchronized (s) {
                largest = Math.max(largest, (long) Math.max(s.row.length, s.index.length) * Long.BYTES);
            }
        }
        return largest;
    }

    private static int ceilPowerOfTwo(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    private Stripe<A> stripeOf(long[] h) {
        return stripes[(int) (h[0] >>> stripeShift)]; // the top bits: the index uses the low ones
    }

    /**
     * Two independent seeded 64-bit hashes of the key in one pass (a multiply-xorshift per char each,
     * then MurmurHash3's finalizer), as {h1, h2}.
     */
    private long[] hash(String s) {
        long a = seed1 ^ s.length();
        long b = seed2 ^ s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            a = (a ^ c) * 0x9E3779B97F4A7C15L;
            a ^= a >>> 29;
            b = (b ^ c) * 0xC2B2AE3D27D4EB4FL;
            b ^= b >>> 31;
        }
        return new long[] {finish(a), finish(b)};
    }

    private static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    /**
     * A ring of rows in arrival order and an open-addressed index over it. A row is four longs side by
     * side (h1, h2, expiry, tag: one cache line holds two rows); an index slot holds the low half of h1
     * (which picks its home slot, and tells most other keys apart without reading their row) and the
     * row + 1 (0 for an empty slot). A lookup of a new key, the usual case, reads the index only.
     */
    private static final class Stripe<A> {
        private static final int H1 = 0;
        private static final int H2 = 1;
        private static final int EXPIRES = 2;
        private static final int TAG = 3;
        private static final int STRIDE = 4;

        long[] row;
        int[] method;
        Object[] answer;
        long[] index;
        int head;
        int count;

        Stripe(int rows) {
            allocate(rows);
        }

        private void allocate(int rows) {
            row = new long[rows * STRIDE];
            method = new int[rows];
            answer = new Object[rows];
            index = new long[rows * 2];
        }

        int rows() {
            return method.length;
        }

        long tag(int r) {
            return row[r * STRIDE + TAG];
        }

        @SuppressWarnings("unchecked")
        A answer(int r) {
            return (A) answer[r];
        }

        void expire(long now) {
            while (count > 0 && row[head * STRIDE + EXPIRES] <= now) {
                removeOldest();
            }
        }

        void removeOldest() {
            unindex(head);
            answer[head] = null;
            head = (head + 1) % rows();
            count--;
        }

        void add(long k1, long k2, int methodHash, long expiry, long tagValue, Object value) {
            int r = (head + count) % rows();
            int at = r * STRIDE;
            row[at + H1] = k1;
            row[at + H2] = k2;
            row[at + EXPIRES] = expiry;
            row[at + TAG] = tagValue;
            method[r] = methodHash;
            answer[r] = value;
            count++;
            int mask = index.length - 1;
            int slot = (int) k1 & mask;
            while (index[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            index[slot] = ((long) (int) k1 << 32) | (r + 1);
        }

        /** The newest live row with this key (and method, when asked), or -1. */
        int find(long k1, long k2, int methodHash, boolean matchMethod, long now) {
            int mask = index.length - 1;
            int low = (int) k1;
            int found = -1;
            for (int slot = low & mask; index[slot] != 0; slot = (slot + 1) & mask) {
                if ((int) (index[slot] >>> 32) != low) {
                    continue; // another key: its row is not read
                }
                int r = (int) index[slot] - 1;
                int at = r * STRIDE;
                if (row[at + H1] == k1 && row[at + H2] == k2 && (!matchMethod || method[r] == methodHash)
                        && row[at + EXPIRES] > now && (found < 0 || age(r) < age(found))) {
                    found = r;
                }
            }
            return found;
        }

        private int age(int r) {
            return count - 1 - ((r - head + rows()) % rows()); // 0 for the newest
        }

        /** Drops a row's slot, shifting back the run after it (linear probing needs no tombstones). */
        private void unindex(int r) {
            int mask = index.length - 1;
            int slot = (int) row[r * STRIDE + H1] & mask;
            while ((int) index[slot] != r + 1) {
                slot = (slot + 1) & mask;
            }
            int hole = slot;
            for (int next = (hole + 1) & mask; index[next] != 0; next = (next + 1) & mask) {
                int home = (int) (index[next] >>> 32) & mask;
                // Move the entry at next into the hole unless its home lies cyclically in (hole, next].
                boolean homeBetween = hole <= next ? hole < home && home <= next : hole < home || home <= next;
                if (!homeBetween) {
                    index[hole] = index[next];
                    hole = next;
                }
            }
            index[hole] = 0;
        }

        /** Twice the rows, the live ones moved to the front in order. */
        void grow() {
            long[] oldRow = row;
            int[] oldMethod = method;
            Object[] oldAnswer = answer;
            int oldRows = oldMethod.length;
            int oldHead = head;
            int n = count;
            allocate(oldRows * 2);
            head = 0;
            count = 0;
            for (int i = 0; i < n; i++) {
                int r = (oldHead + i) % oldRows;
                int at = r * STRIDE;
                add(oldRow[at + H1], oldRow[at + H2], oldMethod[r], oldRow[at + EXPIRES], oldRow[at + TAG],
                        oldAnswer[r]);
            }
        }
    }
}
