package org.kdmq.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.kdmq.gateway.api.GatewayExtension;
import org.junit.jupiter.api.Test;

/** How many SIP network threads a node starts with: the flag, else what its enabled extensions ask for. */
class IoThreadsTest {
    private static GatewayExtension extension(boolean enabled, int preferred) {
        return new GatewayExtension() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public Object options() {
                return null;
            }

            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public int preferredIoThreads() {
                return preferred;
            }

            @Override
            public void start(Context context) {
            }

            @Override
            public void close() {
            }
        };
    }

    private static int effective(int flag, GatewayExtension... extensions) {
        RunCommand run = new RunCommand();
        run.ioThreads = flag;
        run.extensions = List.of(extensions);
        return run.effectiveIoThreads();
    }

    @Test
    void withoutPreferenceItIsNettysDefault() {
        assertEquals(0, effective(0));
        assertEquals(0, effective(0, extension(true, 0)));
    }

    @Test
    void anEnabledExtensionsPreferenceApplies() {
        assertEquals(1, effective(0, extension(true, 1)));
        assertEquals(1, effective(0, extension(true, 4), extension(true, 1), extension(true, 0)));
    }

    @Test
    void aDisabledExtensionIsNotAsked() {
        assertEquals(0, effective(0, extension(false, 1)));
    }

    @Test
    void theFlagWins() {
        assertEquals(3, effective(3, extension(true, 1)));
    }
}
