package org.kdmq.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class JsonRpcDispatcherTest {
    private final ObjectMapper json = new ObjectMapper();
    private final JsonRpcDispatcher rpc = new JsonRpcDispatcher(5000);

    JsonRpcDispatcherTest() {
        rpc.register("echo.join", new RpcMethod() {
            @Override
            public List<String> parameterNames() {
                return List.of("a", "b");
            }

            @Override
            public CompletionStage<Object> call(RpcParams p) {
                return CompletableFuture.completedFuture(p.string("a") + "+" + p.optionalString("b"));
            }
        });
        rpc.register("never", new RpcMethod() {
            @Override
            public List<String> parameterNames() {
                return List.of();
            }

            @Override
            public CompletionStage<Object> call(RpcParams p) {
                return new CompletableFuture<>();
            }
        });
    }

    private JsonNode call(String body) throws Exception {
        byte[] out = rpc.handle(body.getBytes(StandardCharsets.UTF_8)).join();
        return out == null ? null : json.readTree(out);
    }

    @Test
    void positionalAndNamedParams() throws Exception {
        JsonNode r = call("{\"jsonrpc\":\"2.0\",\"method\":\"echo.join\",\"params\":[\"x\",\"y\"],\"id\":7}");
        assertEquals("x+y", r.get("result").asText());
        assertEquals(7, r.get("id").asInt());
        r = call("{\"jsonrpc\":\"2.0\",\"method\":\"echo.join\",\"params\":{\"b\":\"2\",\"a\":\"1\"},\"id\":\"s\"}");
        assertEquals("1+2", r.get("result").asText());
        assertEquals("s", r.get("id").asText());
    }

    @Test
    void standardErrors() throws Exception {
        assertEquals(-32700, call("{not json").get("error").get("code").asInt());
        assertEquals(-32600, call("[]").get("error").get("code").asInt());
        assertEquals(-32600, call("{\"jsonrpc\":\"2.0\",\"id\":1}").get("error").get("code").asInt());
        JsonNode missing = call("{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":1}");
        assertEquals(-32601, missing.get("error").get("code").asInt());
        JsonNode bad = call("{\"jsonrpc\":\"2.0\",\"method\":\"echo.join\",\"params\":[],\"id\":1}");
        assertEquals(-32602, bad.get("error").get("code").asInt());
        assertEquals("echo.join: missing parameter 'a' (params: a, b)", bad.get("error").get("message").asText());
    }

    @Test
    void notificationsGetNoAnswerAndBatchesAnswerEach() throws Exception {
        assertNull(call("{\"jsonrpc\":\"2.0\",\"method\":\"echo.join\",\"params\":[\"x\"]}"));
        JsonNode batch = call("[{\"jsonrpc\":\"2.0\",\"method\":\"echo.join\",\"params\":[\"a\"],\"id\":1},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"echo.join\",\"params\":[\"n\"]},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":2}]");
        assertEquals(2, batch.size());
        assertEquals("a+null", batch.get(0).get("result").asText());
        assertEquals(-32601, batch.get(1).get("error").get("code").asInt());
    }

    @Test
    void aMethodThatNeverAnswersTimesOut() throws Exception {
        JsonRpcDispatcher quick = new JsonRpcDispatcher(50);
        quick.register("never", new RpcMethod() {
            @Override
            public List<String> parameterNames() {
                return List.of();
            }

            @Override
            public CompletionStage<Object> call(RpcParams p) {
                return new CompletableFuture<>();
            }
        });
        JsonNode r = json.readTree(quick.handle("{\"jsonrpc\":\"2.0\",\"method\":\"never\",\"id\":1}"
                .getBytes(StandardCharsets.UTF_8)).join());
        assertEquals(-32603, r.get("error").get("code").asInt());
        assertEquals("never timed out", r.get("error").get("message").asText());
    }
}
