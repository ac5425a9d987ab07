package org.kdmq.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class JvmActivityTest {
    @Test
    void minorFaultsAreTheTenthFieldCountedFromTheCommandNamesLastParenthesis() {
        // The command name may hold spaces and parentheses: fields count from the last ')'.
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 78901 0 12 0 155 31 0 0 20 0 35";
        assertEquals(OptionalLong.of(78901), JvmActivity.parseMinorFaults(stat));
        assertEquals(OptionalLong.empty(), JvmActivity.parseMinorFaults("no parenthesis here"));
        assertEquals(OptionalLong.empty(), JvmActivity.parseMinorFaults("1 (short) S 1 2"));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void thisProcessHasFaultedInPagesOnLinux() {
        OptionalLong faults = JvmActivity.minorFaults();
        assertTrue(faults.isPresent() && faults.getAsLong() > 0, faults.toString());
    }

    @Test
    void anOpenWindowCountsCollectionPauses() throws Exception {
        try (JvmActivity jvm = new JvmActivity()) {
            jvm.startWindow();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            // The notification comes from a service thread after the collection; System.gc() is a pause.
            while (jvm.pausesSoFar() == 0 && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(10);
            }
            JvmActivity.Window window = jvm.endWindow();
            assertTrue(window.pauses() >= 1, window.toString());
            assertTrue(window.pausedMillis() >= window.longestPauseMillis() && window.longestPauseMillis() >= 0,
                    window.toString());
            assertEquals(Runtime.getRuntime().maxMemory() >> 20, window.heapMaxMiB(), 64.0, window.toString());
        }
    }
}
