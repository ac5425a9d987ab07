package org.kdmq.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.ChannelHandler;
import org.kdmq.gateway.api.ChannelRegistration;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.Dmq;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.transport.Transport;

/** How bcast and send replies become one outcome per message, whatever order and thread they come in. */
class BenchSendersTest {
    private static final NodeAddress A = NodeAddress.of("127.0.0.1", 5061, Transport.UDP);
    private static final NodeAddress B = NodeAddress.of("127.0.0.1", 5062, Transport.UDP);

    /** A node whose bcast answers with the given statuses, before it returns (or later, when asked). */
    static final class ScriptedDmq implements Dmq {
        final List<Integer> statuses = new ArrayList<>();
        boolean answerBeforeReturning = true;
        final List<Runnable> pendingReplies = new ArrayList<>();
        final List<NodeAddress> unicastTargets = new ArrayList<>();

        @Override
        public List<NodeAddress> bcast(String channel, byte[] body, String contentType, NodeAddress except, int maxForwards,
                                       Map<String, String> meta, Consumer<NodeReply> callback) {
            List<NodeAddress> targets = List.of(A, B).subList(0, statuses.size());
            for (int i = 0; i < targets.size(); i++) {
                NodeReply reply = reply(targets.get(i), statuses.get(i));
                Runnable answer = () -> callback.accept(reply);
                if (answerBeforeReturning) {
                    answer.run();
                } else {
                    pendingReplies.add(answer);
                }
            }
            return targets;
        }

        @Override
        public CompletableFuture<NodeReply> send(String channel, NodeAddress node, byte[] body, String contentType,
                                                 int maxForwards, Map<String, String> meta) {
            unicastTargets.add(node);
            return CompletableFuture.completedFuture(reply(node, statuses.get(0)));
        }

        private static NodeReply reply(NodeAddress node, int status) {
            return new NodeReply(node, status, status == 200 ? "OK" : "Nope", new byte[0], null, status == 408);
        }

        @Override
        public NodeInfo self() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<NodeInfo> nodes() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ChannelRegistration registerChannel(String channel, DispatchMode mode, ChannelHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<List<NodeReply>> replicate(SipRequest request, InetAddress source, boolean skipLoopTest) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isFromNode(InetAddress source) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void addNodeListener(NodeListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void addLocalSendListener(LocalSendListener listener) {
            throw new UnsupportedOperationException();
        }
    }

    private final BenchPacingTest.FakeClock clock = new BenchPacingTest.FakeClock();
    private final List<Outcome> outcomes = new ArrayList<>();

    @Test
    void aBcastWhoseRepliesCameBeforeItReturnedCompletesOnceAtTheLastReply() {
        ScriptedDmq dmq = new ScriptedDmq();
        dmq.statuses.addAll(List.of(200, 200));
        new BcastSender(dmq, "bench", new byte[1], clock).send(outcomes::add);

        assertEquals(1, outcomes.size());
        assertTrue(outcomes.get(0).delivered());
        assertEquals(2, outcomes.get(0).okReplies());
    }

    @Test
    void aBcastWhoseRepliesComeLaterCompletesAtTheLastOneWithEachFailureByStatus() {
        ScriptedDmq dmq = new ScriptedDmq();
        dmq.statuses.addAll(List.of(200, 408));
        dmq.answerBeforeReturning = false;
        new BcastSender(dmq, "bench", new byte[1], clock).send(outcomes::add);
        assertTrue(outcomes.isEmpty());

        clock.now = 7;
        dmq.pendingReplies.get(0).run();
        assertTrue(outcomes.isEmpty(), "one node still to answer");
        clock.now = 9;
        dmq.pendingReplies.get(1).run();

        assertEquals(List.of(new Outcome(1, List.of("408"), 9)), outcomes);
        assertFalse(outcomes.get(0).delivered());
    }

    @Test
    void aBcastWithNoActiveNodeFailsAtOnce() {
        ScriptedDmq dmq = new ScriptedDmq();
        new BcastSender(dmq, "bench", new byte[1], clock).send(outcomes::add);
        assertEquals(List.of(Outcome.failed("no-active-node", 0)), outcomes);
    }

    @Test
    void sendGoesToTheTargetsInTurn() {
        ScriptedDmq dmq = new ScriptedDmq();
        dmq.statuses.add(200);
        UnicastSender sender = new UnicastSender(dmq, () -> List.of(A, B), "bench", new byte[1], clock, false);
        for (int i = 0; i < 3; i++) {
            sender.send(outcomes::add);
        }
        assertEquals(List.of(A, B, A), dmq.unicastTargets);
        assertTrue(outcomes.stream().allMatch(Outcome::delivered));
    }

    @Test
    void queryBodiesAreJsonObjectsOfTheAskedSize() throws Exception {
        com.fasterxml.jackson.databind.JsonNode small = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(BenchBody.query(10));
        assertTrue(small.isObject());
        assertEquals("query", small.path("Event-Name").asText());
        assertEquals(500, BenchBody.query(500).length);
        assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(BenchBody.query(500)).isObject());
    }

    @Test
    void aQueryAnsweredWithoutABodyIsAnError() {
        ScriptedDmq dmq = new ScriptedDmq();
        dmq.statuses.add(200); // ScriptedDmq answers 200 with an empty body
        new UnicastSender(dmq, () -> List.of(A), "bench", new byte[1], clock, true).send(outcomes::add);
        assertEquals(List.of(Outcome.failed("no-answer", 0)), outcomes);
    }

    @Test
    void statsCountFailuresByStatusAndLatenciesOfDeliveredMessagesOnly() {
        BenchStats stats = new BenchStats(0);
        BenchStats.Tally measured = stats.tally(Phases.MEASURED);
        stats.completed(measured, 0, new Outcome(2, List.of(), 3_000_000));
        stats.completed(measured, 0, new Outcome(1, List.of("503"), 9_000_000));
        stats.completed(stats.tally(Phases.WARM_UP), 0, new Outcome(0, List.of("408"), 1_000_000)); // not counted
        stats.completed(stats.tally(Phases.WARM_UP), 0, new Outcome(1, List.of(), 1_000_000)); // not counted

        assertEquals(1, stats.delivered());
        assertEquals(1, stats.failed());
        assertEquals(3, stats.okRequests());
        assertEquals(Map.of("503", 1L), stats.errorsByStatus());
        assertEquals(1, stats.latencies().getTotalCount());
        assertTrue(stats.latencies().valuesAreEquivalent(3000, stats.latencies().getMaxValue()));
    }
}
