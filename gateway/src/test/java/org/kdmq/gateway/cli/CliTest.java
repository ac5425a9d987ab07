package org.kdmq.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing, validation and exit codes of the command line. */
class CliTest {
    record Result(int code, String out, String err) {
    }

    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    @Test
    void helpListsEveryModparamFlagWithItsDefault() {
        Result r = run("run", "--help");
        assertEquals(0, r.code());
        for (String flag : new String[] {"--server-address", "--server-socket", "--notification-address",
                "--notification-channel", "--multi-notify", "--num-workers", "--worker-usleep", "--ping-interval",
                "--remove-inactive", "--fail-count-enabled", "--fail-count-threshold-not-active",
                "--fail-count-threshold-disabled", "--admin-listen", "--tls-certificate", "--fr-timer-ms"}) {
            assertTrue(r.out().contains(flag), flag);
        }
        assertTrue(r.out().contains("default: 60"), "ping_interval default as Kamailio");
        assertTrue(r.out().contains("KDMQ_SERVER_ADDRESS"));
        assertEquals(0, run("--help").code());
    }

    @Test
    void leakSamplingIsOneIn1024UnlessTheOperatorSetsIt() {
        String key = "io.netty.leakDetection.samplingInterval";
        String before = System.getProperty(key);
        try {
            System.clearProperty(key);
            Main.configureLeakSampling();
            assertEquals("1024", System.getProperty(key));
            System.setProperty(key, "1");
            Main.configureLeakSampling();
            assertEquals("1", System.getProperty(key), "-D on the command line wins");
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }

    @Test
    void versionPrintsTheVersion() {
        Result r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("kdmq-gateway "), r.out());
    }

    @Test
    void badValuesExitWithCode2AndOneClearLine() {
        String[][] bad = {
            {"--server-address", "not a uri"},
            {"--server-address", "sip:127.0.0.1"},
            {"--notification-address", "http://x"},
            {"--multi-notify", "1", "--notification-address", "sip:a.example:5060", "--notification-address", "sip:b.example:5060"},
            {"--multi-notify", "maybe"},
            {"--ping-interval", "0"},
            {"--num-workers", "0"},
            {"--tls-certificate", "/nonexistent.crt", "--tls-private-key", "/nonexistent.key"},
            {"--tls-certificate", "/etc/hostname"},
            {"--admin-listen", "nowhere"},
            {"--no-such-flag"},
            {"--log-level", "loud"},
        };
        for (String[] args : bad) {
            Result r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + " -> " + r.err());
            assertTrue(r.err().startsWith("kdmq-gateway: "), r.err());
        }
    }

    @Test
    void environmentVariablesAreFlagsToo() {
        Result r = run(Map.of("KDMQ_PING_INTERVAL", "0"), "run");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--ping-interval"), r.err());
        Result multi = run(Map.of("KDMQ_NOTIFICATION_ADDRESS", "sip:a.example:5060,sip:b.example:5060", "KDMQ_MULTI_NOTIFY", "1"));
        assertEquals(2, multi.code(), multi.err());
        assertTrue(multi.err().contains("exactly one"), multi.err());
    }

    @Test
    void portInUseExitsWith1NamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Result r = run("--server-address", "sip:127.0.0.1:" + port, "--admin-listen", "none");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("127.0.0.1:" + port), r.err());
        }
    }

    @Test
    void clientCommandsReportAnUnreachableNode() {
        Result r = run("nodes", "--admin", "http://127.0.0.1:1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cannot reach http://127.0.0.1:1"), r.err());
        Result env = run(Map.of("KDMQ_ADMIN_URL", "http://127.0.0.1:1"), "rpc", "dmq.list_nodes");
        assertTrue(env.err().contains("http://127.0.0.1:1"), env.err());
    }

    @Test
    void runIsTheDefaultCommand() {
        assertEquals("run", Main.withDefaultCommand(new String[] {"--ping-interval", "5"})[0]);
        assertEquals("rpc", Main.withDefaultCommand(new String[] {"rpc", "core.version"})[0]);
        assertEquals("run", Main.withDefaultCommand(new String[0])[0]);
    }
}
