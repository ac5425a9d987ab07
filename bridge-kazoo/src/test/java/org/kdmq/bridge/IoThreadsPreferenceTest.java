package org.kdmq.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The bridge asks for one SIP network thread when its AMQP connections run on it (netty I/O). */
class IoThreadsPreferenceTest {
    private static int preferred(String... args) {
        BridgeOptions options = new BridgeOptions();
        new CommandLine(options).parseArgs(args);
        return new KazooBridge(options).preferredIoThreads();
    }

    @Test
    void nettyAmqpIoAsksForOneThread() {
        assertEquals(1, preferred("--amqp-connection", "amqp://127.0.0.1"));
        assertEquals(1, preferred("--amqp-connection", "amqp://127.0.0.1", "--amqp-io", "nio"));
    }

    @Test
    void blockingAmqpIoLeavesTheDefault() {
        assertEquals(0, preferred("--amqp-connection", "amqp://127.0.0.1", "--amqp-io", "blocking"));
    }
}
