package org.kdmq.it.kamailio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.it.OurNodes.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.kdmq.bridge.KazooBridgeTestAccess;
import org.kdmq.bridge.amqp.TestBroker;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqMessage;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.transport.Transport;
import org.kdmq.it.OurNodes;

/**
 * Our bridge and a real Kamailio 5.6 running the kazoo module (Debian kamailio-kazoo-modules) on one
 * broker: Kamailio's kazoo_publish reaches a DMQ channel of ours through a subscription, and Kamailio's
 * kazoo_subscribe receives what our mirror publishes, in the event route the payload selects.
 */
class KazooInteropTest {

    @Test
    void kazooModuleAndBridgeTalkBothWays() throws Exception {
        assertTrue(KamailioNode.isInstalled() && Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/kamailio/modules/kazoo.so")),
                "needs Debian's kamailio and kamailio-kazoo-modules (.ci/run installs them)");
        String id = UUID.randomUUID().toString().substring(0, 8);
        String out = "kdmq_it_out_" + id;
        String in = "kdmq_it_in_" + id;
        try (OurNodes ours = new OurNodes()) {
            GatewayServer sender = ours.start(Transport.UDP, null);
            GatewayServer bridge = ours.start(Transport.UDP, sender.config().dmq().serverAddress().toUriString());
            ConcurrentLinkedQueue<DmqMessage> lab = new ConcurrentLinkedQueue<>();
            sender.dmq().registerChannel("lab", DispatchMode.HANDLE, m -> {
                lab.add(m);
                return CompletableFuture.completedFuture(DmqResponse.ok());
            });
            String sub = "{\"exchange\":\"" + in + "\",\"type\":\"topic\",\"queue\":\"kdmq-it-in-" + id + "\",\"routing\":\"#\"}";
            KazooBridgeTestAccess.start(bridge, List.of(TestBroker.uri().toString()), List.of("mychannel=" + out + ":topic"),
                    List.of(sub), List.of("consumer-event-lab-hello=lab"));
            await("joined", Duration.ofSeconds(20), () -> sender.dmq().nodes().size() == 2);

            int port = OurNodes.freePort();
            try (KamailioNode kamailio = KamailioNode.startWithConfig("kz", port, "/kamailio/kazoo.cfg.tmpl", Map.of(
                    "AMQP", TestBroker.uri().toString(), "OUT", out, "IN", in, "QUEUE", "kzit-q-" + id, "ASK", "kdmq_it_ask_" + id))) {
                // Kamailio -> AMQP -> our subscription -> DMQ channel "lab" on every node
                await("Kamailio consumes its queue", Duration.ofSeconds(20), () -> consumers("kzit-q-" + id) > 0);
                kamailio.sendMessage("pub", "hi-from-kamailio");
                await("kazoo_publish reached our DMQ channel", Duration.ofSeconds(20), () -> !lab.isEmpty());
                JsonNode p = new ObjectMapper().readTree(lab.peek().body());
                assertEquals("lab", p.get("Event-Category").asText());
                assertEquals("hello", p.get("Event-Name").asText());
                assertEquals("hi-from-kamailio", p.get("Text").asText());
                assertEquals("kamailio@kzit.local", p.get("Node").asText(), "Kamailio's envelope, unchanged");

                // our DMQ broadcast -> mirror -> AMQP -> Kamailio's kazoo_subscribe -> its event route
                ConcurrentLinkedQueue<NodeReply> replies = new ConcurrentLinkedQueue<>();
                sender.dmq().bcast("mychannel", "v-from-dmq".getBytes(), "text/plain", null, 1, replies::add);
                await("published", Duration.ofSeconds(20), () -> replies.size() == 1);
                await("Kamailio ran consumer-event-dmq-mychannel", Duration.ofSeconds(20), () -> "v-from-dmq".equals(get(kamailio, "body")));
                assertEquals("consumer-event-dmq-mychannel", get(kamailio, "route"));
                assertTrue(get(kamailio, "node").startsWith("kdmq-gateway@"));
            }
        }
    }

    @Test
    void kamailioAsksTheDmqClusterAndAnswersOurQueries() throws Exception {
        assertTrue(KamailioNode.isInstalled() && Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/kamailio/modules/kazoo.so")),
                "needs Debian's kamailio and kamailio-kazoo-modules (.ci/run installs them)");
        String id = UUID.randomUUID().toString().substring(0, 8);
        String in = "kdmq_it_in_" + id;
        String ask = "kdmq_it_ask_" + id;
        try (OurNodes ours = new OurNodes()) {
            GatewayServer asker = ours.start(Transport.UDP, null);
            GatewayServer bridge = ours.start(Transport.UDP, asker.config().dmq().serverAddress().toUriString());
            asker.dmq().registerChannel("dir", DispatchMode.HANDLE, m -> {
                String name;
                try {
                    name = new ObjectMapper().readTree(m.body()).path("Name").asText();
                } catch (java.io.IOException e) {
                    return CompletableFuture.completedFuture(DmqResponse.error(400, "Bad Request"));
                }
                return CompletableFuture.completedFuture(name.equals("nobody") ? DmqResponse.error(404, "No Such User")
                        : DmqResponse.ok("{\"User\":\"" + name + "\"}", "application/json"));
            });
            String sub = "{\"exchange\":\"" + in + "\",\"type\":\"topic\",\"queue\":\"kdmq-it-in-" + id + "\",\"routing\":\"#\"}";
            KazooBridgeTestAccess.start(bridge, List.of(TestBroker.uri().toString()), List.of(), List.of(sub), List.of(),
                    List.of("consumer-event-directory-lookup=dir"), List.of("ask=" + ask), 3000);
            await("joined", Duration.ofSeconds(20), () -> asker.dmq().nodes().size() == 2);
            await("bridge consumes", Duration.ofSeconds(20), () -> consumers("kdmq-it-in-" + id) > 0);

            int port = OurNodes.freePort();
            try (KamailioNode kamailio = KamailioNode.startWithConfig("kzq", port, "/kamailio/kazoo.cfg.tmpl", Map.of(
                    "AMQP", TestBroker.uri().toString(), "OUT", "kdmq_it_out_" + id, "IN", in, "QUEUE", "kzit-q-" + id,
                    "ASK", ask))) {
                await("Kamailio consumes its queues", Duration.ofSeconds(20),
                        () -> consumers("kzit-q-" + id) > 0 && consumers("kzit-q-" + id + "-ask") > 0);
                // kazoo_query_async -> our subscription -> query route -> DMQ "dir" -> reply to targeted/Server-ID
                kamailio.sendMessage("ask", "dave");
                assertEquals("dave", get(kamailio, "answer"), "onreply_route saw our reply in $kzR: " + kamailio.log());
                kamailio.sendMessage("ask", "nobody");
                assertEquals("error", get(kamailio, "category"), "an error reply, not a timeout");
                assertEquals("404", get(kamailio, "sip_status"));

                // our query channel -> AMQP -> Kamailio's event route answers with kazoo_publish("targeted", Server-ID)
                NodeReply reply = asker.dmq().send("ask", bridge.config().dmq().serverAddress(),
                        "{\"Event-Category\":\"registrar\",\"Event-Name\":\"query\",\"Username\":\"erin\"}".getBytes(),
                        "application/json", 1).get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(200, reply.statusCode(), reply.reason());
                JsonNode body = new ObjectMapper().readTree(reply.body());
                assertEquals("sip:erin@kamailio.test", body.path("Contact").asText(), body.toString());
            }
        }
    }

    private static long consumers(String queue) {
        com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
        try {
            f.setUri(TestBroker.uri());
            try (com.rabbitmq.client.Connection c = f.newConnection("kzit-check")) {
                return c.createChannel().consumerCount(queue);
            }
        } catch (Exception notYet) {
            return 0;
        }
    }

    private static String get(KamailioNode k, String key) {
        try {
            String v = k.htableGet("kz", key);
            return v == null ? "" : v;
        } catch (Exception e) {
            return "";
        }
    }
}
