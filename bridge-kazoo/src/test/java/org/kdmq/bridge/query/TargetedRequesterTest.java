package org.kdmq.bridge.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kdmq.bridge.amqp.ConfirmingPublisher;
import org.kdmq.bridge.amqp.TestBroker;
import org.kdmq.bridge.kazoo.KazooEnvelope;
import org.kdmq.bridge.kazoo.RoutingKeyTemplate;

/** DMQ to AMQP queries against a real RabbitMQ, with a Kazoo-style responder. */
class TargetedRequesterTest {
    private final ObjectMapper json = new ObjectMapper();
    private Connection requesterConnection;
    private Connection responderConnection;
    private Channel responder;
    private ConfirmingPublisher publisher;
    private TargetedRequester requester;
    private String exchange;
    private final LinkedBlockingQueue<ObjectNode> requests = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(TestBroker.uri());
        requesterConnection = f.newConnection("kdmq-test-requester");
        responderConnection = f.newConnection("kdmq-test-responder");
        exchange = "kdmq.query." + UUID.randomUUID();
        responder = responderConnection.createChannel();
        responder.exchangeDeclare(exchange, "topic", false, true, null);
        String q = responder.queueDeclare("", false, true, true, null).getQueue();
        responder.queueBind(q, exchange, "#");
        DeliverCallback onRequest = (tag, d) -> requests.add((ObjectNode) json.readTree(d.getBody()));
        responder.basicConsume(q, true, onRequest, tag -> { });
        publisher = new ConfirmingPublisher(100, 1000);
        String id = UUID.randomUUID().toString().substring(0, 8);
        requester = new TargetedRequester(new KazooEnvelope.Identity("t", "kdmq-gateway@test",
                "kdmq-gateway@test-" + id + "-targeted"), publisher::publish);
        requester.listenOn(requesterConnection);
        publisher.attach(requesterConnection);
    }

    @AfterEach
    void stop() throws Exception {
        publisher.close();
        requesterConnection.close();
        responder.exchangeDelete(exchange);
        responderConnection.close();
    }

    /** Answers as Kazoo does: to exchange targeted, routing key = Server-ID, echoing Msg-ID. */
    private void answer(ObjectNode request, String field, String value) throws Exception {
        ObjectNode reply = json.createObjectNode();
        reply.put("Msg-ID", request.get("Msg-ID").asText());
        reply.put(field, value);
        responder.basicPublish("targeted", request.get("Server-ID").asText(), new AMQP.BasicProperties(),
                json.writeValueAsBytes(reply));
    }

    private CompletableFuture<ObjectNode> ask(String text, long timeoutMs) throws Exception {
        return requester.query(exchange, RoutingKeyTemplate.parse(RoutingKeyTemplate.DEFAULT),
                (ObjectNode) json.readTree(text), Duration.ofMillis(timeoutMs));
    }

    @Test
    void theReplyEchoingTheMsgIdCompletesTheQuery() throws Exception {
        CompletableFuture<ObjectNode> reply = ask("{\"Event-Category\":\"directory\",\"Event-Name\":\"lookup\","
                + "\"Msg-ID\":\"set-by-caller\",\"Server-ID\":\"elsewhere\"}", 5000);
        ObjectNode request = requests.poll(10, TimeUnit.SECONDS);
        assertEquals(requester.queue(), request.get("Server-ID").asText(), "replies come to our queue");
        assertTrue(!request.get("Msg-ID").asText().equals("set-by-caller"), "a fresh Msg-ID each time");
        assertEquals("kdmq-gateway", request.get("App-Name").asText());
        answer(request, "User", "alice");
        assertEquals("alice", reply.get(10, TimeUnit.SECONDS).get("User").asText());
        assertEquals(0, requester.pending());
    }

    @Test
    void noReplyTimesOutAndALateOrSecondReplyIsCountedAndDropped() throws Exception {
        CompletableFuture<ObjectNode> reply = ask("{\"Event-Category\":\"directory\",\"Event-Name\":\"lookup\"}", 200);
        ObjectNode request = requests.poll(10, TimeUnit.SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class, () -> reply.get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause());
        answer(request, "User", "too late");
        CompletableFuture<ObjectNode> second = ask("{\"Event-Category\":\"a\",\"Event-Name\":\"b\"}", 5000);
        ObjectNode request2 = requests.poll(10, TimeUnit.SECONDS);
        answer(request2, "User", "first");
        answer(request2, "User", "second");
        assertEquals("first", second.get(10, TimeUnit.SECONDS).get("User").asText());
        org.kdmq.gateway.server.TestNodes.await("both unmatched replies counted", java.time.Duration.ofSeconds(10),
                () -> requester.unmatched.sum() >= 2);
        assertEquals(2, requester.unmatched.sum(), "the late reply and the second one");
        assertEquals(1, requester.timedOut.sum());
    }

    @Test
    void manyConcurrentQueriesEachGetTheirOwnReply() throws Exception {
        int n = 500;
        List<CompletableFuture<ObjectNode>> replies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            replies.add(ask("{\"Event-Category\":\"c\",\"Event-Name\":\"n\",\"Seq\":\"" + i + "\"}", 20000));
        }
        // Answer in reverse order of arrival, each echoing its request's Seq.
        List<ObjectNode> received = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            received.add(requests.poll(20, TimeUnit.SECONDS));
        }
        for (int i = n - 1; i >= 0; i--) {
            answer(received.get(i), "Seq", received.get(i).get("Seq").asText());
        }
        for (int i = 0; i < n; i++) {
            assertEquals(String.valueOf(i), replies.get(i).get(20, TimeUnit.SECONDS).get("Seq").asText());
        }
    }

    @Test
    void aRoutingKeyOver255BytesFailsAtOnce() throws Exception {
        CompletableFuture<ObjectNode> reply = ask("{\"Event-Category\":\"" + "x".repeat(300) + "\"}", 5000);
        ExecutionException e = assertThrows(ExecutionException.class, () -> reply.get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    /**
     * On our event-driven connections replies are delivered on the connection's event loop; whoever asked must
     * never run there (a blocking continuation would stall every delivery and ack of the connection).
     */
    @Test
    void continuationsNeverRunOnTheConnectionsIoThread() throws Exception {
        org.kdmq.bridge.amqp.AmqpServer server = org.kdmq.bridge.amqp.AmqpServer.parse(1, TestBroker.uri().toString(), "local");
        try (org.kdmq.bridge.amqp.AmqpConnector connector = new org.kdmq.bridge.amqp.AmqpConnector(
                org.kdmq.bridge.amqp.BackoffPolicy.DEFAULT, Duration.ofSeconds(5), null, "kdmq-test");
             ConfirmingPublisher loopPublisher = new ConfirmingPublisher(100, 1000)) {
            Connection eventDriven = connector.connect(server, "query").get(30, TimeUnit.SECONDS);
            try {
                String id = UUID.randomUUID().toString().substring(0, 8);
                TargetedRequester onLoop = new TargetedRequester(new KazooEnvelope.Identity("t", "kdmq-gateway@test",
                        "kdmq-gateway@test-" + id + "-targeted"), m -> loopPublisher.publish(m, ConfirmingPublisher.ON_CONFIRM));
                onLoop.listenOn(eventDriven);
                loopPublisher.attach(eventDriven, connector.ioLoopFor(server));
                CompletableFuture<String> thread = onLoop.query(exchange, RoutingKeyTemplate.parse(RoutingKeyTemplate.DEFAULT),
                        (ObjectNode) json.readTree("{\"Event-Category\":\"c\",\"Event-Name\":\"n\"}"), Duration.ofSeconds(10))
                        .thenApply(reply -> Thread.currentThread().getName());
                answer(requests.poll(10, TimeUnit.SECONDS), "User", "alice");
                String ranOn = thread.get(10, TimeUnit.SECONDS);
                assertTrue(!ranOn.startsWith("amqp-io"), "continuation ran on " + ranOn);
                assertEquals(1, onLoop.answered.sum());
            } finally {
                eventDriven.close();
            }
        }
    }
}
