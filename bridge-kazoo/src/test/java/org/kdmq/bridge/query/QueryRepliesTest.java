package org.kdmq.bridge.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdmq.bridge.kazoo.KazooEnvelope;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeReply;

/** The reply formats, reply addresses and per-request options of AMQP queries. */
class QueryRepliesTest {
    private final ObjectMapper json = new ObjectMapper();
    private final KazooEnvelope.Identity who = new KazooEnvelope.Identity("1.0", "kdmq-gateway@h", "kdmq-gateway@h-x-targeted");
    private final NodeAddress node = NodeAddress.parse("sip:127.0.0.1:5060");

    private ObjectNode request() throws Exception {
        return (ObjectNode) json.readTree("{\"Event-Category\":\"directory\",\"Event-Name\":\"lookup\",\"Msg-ID\":\"m-1\","
                + "\"Server-ID\":\"kamailio@h-<1>-targeted-0\"}");
    }

    private NodeReply reply(int status, String body, String type) {
        return new NodeReply(node, status, status == 200 ? "OK" : "Not Found", body.getBytes(StandardCharsets.UTF_8), type, false);
    }

    @Test
    void aJsonReplyIsMergedAndEchoesTheRequestMsgId() throws Exception {
        ObjectNode out = QueryReplies.success(request(), reply(200, "{\"User\":\"alice\",\"Msg-ID\":\"other\"}", "application/json"), who);
        assertEquals("alice", out.get("User").asText());
        assertEquals("m-1", out.get("Msg-ID").asText(), "the requester matches on its own Msg-ID");
        assertEquals("directory", out.get("Event-Category").asText());
        assertEquals("lookup", out.get("Event-Name").asText());
        assertEquals("sip:127.0.0.1:5060", out.get("KDMQ-Node").asText());
        assertEquals(200, out.get("KDMQ-Status").asInt());
        assertEquals("kdmq-gateway", out.get("App-Name").asText());
        assertEquals("kdmq-gateway@h-x-targeted", out.get("Server-ID").asText());
    }

    @Test
    void aTextReplyIsWrappedAndAnEmptyOneAddsNothing() throws Exception {
        ObjectNode text = QueryReplies.success(request(), reply(200, "plain words", "text/plain"), who);
        assertEquals("plain words", text.get("Body").asText());
        assertEquals("text/plain", text.get("Content-Type").asText());
        ObjectNode empty = QueryReplies.success(request(), reply(200, "", null), who);
        assertFalse(empty.has("Body"));
    }

    @Test
    void collectedRepliesListEveryNode() throws Exception {
        ObjectNode out = QueryReplies.collected(request(), List.of(reply(200, "{\"a\":1}", "application/json"),
                reply(404, "", null)), who);
        assertEquals(2, out.get("Replies").size());
        assertEquals(1, out.get("Replies").get(0).get("Reply").get("a").asInt());
        assertEquals(404, out.get("Replies").get(1).get("Status").asInt());
        assertEquals("m-1", out.get("Msg-ID").asText());
    }

    @Test
    void errorsSayWhyAndCarryTheSipStatusWhenThereIsOne() throws Exception {
        ObjectNode sip = QueryReplies.error(request(), "DMQ node answered 404", 404, "User Not Found", who);
        assertEquals("error", sip.get("Event-Category").asText());
        assertEquals("lookup", sip.get("Event-Name").asText());
        assertEquals("DMQ node answered 404", sip.get("Error-Message").asText());
        assertEquals(404, sip.get("SIP-Status").asInt());
        assertEquals("m-1", sip.get("Msg-ID").asText());
        ObjectNode timeout = QueryReplies.error(request(), "no DMQ reply", 0, null, who);
        assertNull(timeout.get("SIP-Status"));
    }

    @Test
    void replyToWinsOverServerIdAndTheConsumerPrefixIsStripped() throws Exception {
        AMQP.BasicProperties rpc = new AMQP.BasicProperties.Builder().replyTo("amq.rabbitmq.reply-to.abc").correlationId("c1").build();
        assertEquals(new ReplyAddress("", "amq.rabbitmq.reply-to.abc", "c1"), ReplyAddress.of(rpc, request()));
        ObjectNode consumer = request().put("Server-ID", "consumer://1/kamailio@h-<1>-targeted-3");
        ReplyAddress kazoo = ReplyAddress.of(new AMQP.BasicProperties(), consumer);
        assertEquals(new ReplyAddress("targeted", "kamailio@h-<1>-targeted-3", null), kazoo);
        assertTrue(kazoo.kazooStyle());
        assertNull(ReplyAddress.of(new AMQP.BasicProperties(), (ObjectNode) json.readTree("{\"Msg-ID\":\"x\"}")));
    }

    @Test
    void perRequestOptionsAreCheckedAndBadOnesSayWhy() throws Exception {
        Duration dflt = Duration.ofMillis(2000);
        QueryOptions plain = QueryOptions.of(request(), null, dflt);
        assertEquals(dflt, plain.timeout());
        assertNull(plain.target());
        assertFalse(plain.collect());
        QueryOptions custom = QueryOptions.of(request().put("Query-Timeout", 150).put("Query-Collect", true)
                .put("Target-Node", "sip:127.0.0.1:5070"), null, dflt);
        assertEquals(Duration.ofMillis(150), custom.timeout());
        assertTrue(custom.collect());
        assertEquals(NodeAddress.parse("sip:127.0.0.1:5070"), custom.target());
        AMQP.BasicProperties header = new AMQP.BasicProperties.Builder()
                .headers(Map.of("kdmq-target-node", "sip:127.0.0.1:5080")).build();
        assertEquals(5080, QueryOptions.of(request(), header, dflt).target().port());
        assertThrows(IllegalArgumentException.class, () -> QueryOptions.of(request().put("Query-Timeout", "soon"), null, dflt));
        assertThrows(IllegalArgumentException.class, () -> QueryOptions.of(request().put("Query-Timeout", 0), null, dflt));
        assertThrows(IllegalArgumentException.class, () -> QueryOptions.of(request().put("Query-Timeout", 600000), null, dflt));
        assertThrows(IllegalArgumentException.class, () -> QueryOptions.of(request().put("Target-Node", "not a uri"), null, dflt));
    }

    @Test
    void queryChannelSpecs() {
        QueryChannel q = QueryChannel.parse("ask=callmgr");
        assertEquals("ask", q.channel());
        assertEquals("callmgr", q.exchange());
        assertEquals("{Event-Category}.{Event-Name}", q.routing().toString());
        assertEquals("registrar.{Realm}", QueryChannel.parse("reg = registrar : registrar.{Realm}").routing().toString());
        assertThrows(IllegalArgumentException.class, () -> QueryChannel.parse("no-exchange="));
        assertThrows(IllegalArgumentException.class, () -> QueryChannel.parse("=x"));
        assertThrows(IllegalArgumentException.class, () -> QueryChannel.parse("a=x:"));
        assertEquals("a.{b}", org.kdmq.bridge.kazoo.RoutingKeyTemplate.literal("a.{b}").render(json.createObjectNode()),
                "a literal key is taken as it is");
    }
}
