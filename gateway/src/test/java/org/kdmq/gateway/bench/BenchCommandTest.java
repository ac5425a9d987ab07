package org.kdmq.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.cli.Main;

/** {@code kdmq-gateway bench} end to end on in-process nodes, and its usage errors. */
class BenchCommandTest {
    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void closedLoopBcastToTwoInProcessNodesDeliversEveryMessage() throws Exception {
        Result r = run("bench", "--in-process", "2", "--count", "200", "--rate", "0", "--json");
        assertEquals(0, r.code(), r.err());

        JsonNode report = new ObjectMapper().readTree(r.out());
        assertEquals(200, report.path("sent").asLong(), r.out());
        assertEquals(200, report.path("delivered").asLong(), r.out());
        assertEquals(0, report.path("failed").asLong(), r.out());
        assertEquals(0, report.path("error_count").asLong(), r.out());
        assertEquals(0, report.path("errors").size(), r.out());
        assertEquals(2, report.path("targets").asInt(), r.out());
        assertEquals(2, report.path("fanout").asInt(), r.out());
        assertEquals(400, report.path("kdmq_requests").asLong(), "a bcast to two nodes is two KDMQ requests");
        assertEquals("bcast", report.path("config").path("mode").asText());
        JsonNode nodes = report.path("nodes");
        assertEquals(0, nodes.path("shed").asLong(-1), "100 in flight never reach --max-pending-requests: " + nodes);
        assertTrue(nodes.path("retransmitted").isIntegralNumber() && nodes.path("retransmissions_absorbed").isIntegralNumber(),
                nodes.toString());
        JsonNode jvm = report.path("jvm");
        assertTrue(jvm.path("gc_pauses").isIntegralNumber() && jvm.path("gc_pause_ms").asLong(-1) >= 0
                && jvm.path("heap_max_mib").asLong() > 0 && jvm.path("heap_fixed").isBoolean()
                && jvm.path("heap_pre_touched").isBoolean() && jvm.has("minor_page_faults"), jvm.toString());
        assertTrue(report.path("measured_s").asDouble() > 0, r.out());
        assertTrue(report.path("delivered_per_s").asDouble() > 0, r.out());
        assertEquals(2 * report.path("delivered_per_s").asDouble(), report.path("kdmq_per_s").asDouble(), 1e-6);

        JsonNode latency = report.path("latency_ms");
        assertEquals(200, latency.path("count").asLong());
        double previous = 0;
        for (String p : new String[] {"p50", "p90", "p99", "p99_9", "max"}) {
            assertTrue(latency.has(p), p + " in " + latency);
            double value = latency.path(p).asDouble();
            assertTrue(value > 0 && value >= previous, p + " = " + value + " after " + previous);
            previous = value;
        }
    }

    @Test
    void sendModeRoundRobinsOverTheNodes() throws Exception {
        Result r = run("bench", "--mode", "send", "--in-process", "2", "--count", "100", "--warmup", "0",
                "--in-flight", "10", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertEquals(100, report.path("delivered").asLong(), r.out());
        assertEquals(100, report.path("kdmq_requests").asLong(), "one KDMQ request per unicast");
        assertEquals(0, report.path("error_count").asLong(), r.out());
    }

    @Test
    void textReportNamesRatesErrorsAndPercentiles() {
        Result r = run("bench", "--in-process", "1", "--count", "50", "--warmup", "0", "--transport", "tcp");
        assertEquals(0, r.code(), r.err());
        for (String expected : new String[] {"bcast over tcp", "delivered  50 messages", "errors     none", "GC pauses", "p99=",
                "p99.9=", "max="}) {
            assertTrue(r.out().contains(expected), expected + " in:\n" + r.out());
        }
    }

    @Test
    void badUsageExitsWithCode2BeforeStartingAnything() {
        String[][] bad = {
            {"bench", "--count", "10", "--duration", "5"},
            {"bench", "--mode", "multicast"},
            {"bench", "--transport", "sctp"},
            {"bench", "--rate", "-1"},
            {"bench", "--in-flight", "0"},
            {"bench", "--tick-us", "-1"},
            {"bench", "--count", "0"},
            {"bench", "--body-size", "100000"},
            {"bench", "--channel", "no spaces"},
            {"bench", "--cluster", "sip:127.0.0.1:5060", "--in-process", "2"},
            {"bench", "--cluster", "http://x"},
            {"bench", "--bind", "127.0.0.1:port"},
            {"bench", "--in-process", "0"},
            {"bench", "--no-such-flag"},
        };
        for (String[] args : bad) {
            Result r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + " -> " + r.err());
            assertTrue(r.err().startsWith("kdmq-gateway: "), r.err());
        }
    }
}
