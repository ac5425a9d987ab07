package org.kdmq.gateway.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC 2.0 over bytes, as Kamailio's jsonrpcs module speaks it: single or batch requests,
 * notifications (no id) get no answer, standard error codes for parse errors, unknown methods and bad
 * params. No I/O here; the admin HTTP server feeds it.
 */
public final class JsonRpcDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(JsonRpcDispatcher.class);
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, RpcMethod> methods = new ConcurrentHashMap<>();
    private final long timeoutMillis;

    public JsonRpcDispatcher(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /** Adds a method; the bridge adds its own (kazoo.*) this way. */
    public void register(String name, RpcMethod method) {
        if (methods.putIfAbsent(name, method) != null) {
            throw new IllegalStateException("RPC method already registered: " + name);
        }
    }

    public List<String> methodNames() {
        return methods.keySet().stream().sorted().toList();
    }

    /** Handles a request body; completes with the response body, or null when nothing is to be sent. */
    public CompletableFuture<byte[]> handle(byte[] body) {
        JsonNode request;
        try {
            request = json.readTree(body);
        } catch (Exception e) {
            return CompletableFuture.completedFuture(write(error(null, RpcException.PARSE_ERROR, "Parse error")));
        }
        if (request == null || request.isMissingNode()) {
            return CompletableFuture.completedFuture(write(error(null, RpcException.PARSE_ERROR, "Parse error")));
        }
        if (request.isArray()) {
            if (request.isEmpty()) {
                return CompletableFuture.completedFuture(write(error(null, RpcException.INVALID_REQUEST, "Invalid Request")));
            }
            List<CompletableFuture<ObjectNode>> answers = new ArrayList<>();
            request.forEach(r -> answers.add(handleOne(r)));
            return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(v -> {
                ArrayNode out = json.createArrayNode();
                answers.stream().map(CompletableFuture::join).filter(a -> a != null).forEach(out::add);
                return out.isEmpty() ? null : write(out);
            });
        }
        return handleOne(request).thenApply(answer -> answer == null ? null : write(answer));
    }

    private CompletableFuture<ObjectNode> handleOne(JsonNode request) {
        if (!request.isObject() || !request.path("method").isTextual()) {
            return CompletableFuture.completedFuture(error(request.path("id"), RpcException.INVALID_REQUEST, "Invalid Request"));
        }
        JsonNode id = request.get("id");
        boolean notification = id == null;
        String name = request.get("method").asText();
        RpcMethod method = methods.get(name);
        if (method == null) {
            return CompletableFuture.completedFuture(notification ? null
                    : error(id, RpcException.METHOD_NOT_FOUND, "Method not found: " + name));
        }
        CompletionStage<Object> result;
        try {
            result = method.call(new RpcParams(name, request.get("params"), method.parameterNames()));
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.toCompletableFuture().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .handle((value, failure) -> {
                    if (notification) {
                        return null;
                    }
                    if (failure == null) {
                        ObjectNode ok = json.createObjectNode().put("jsonrpc", "2.0");
                        ok.set("result", json.valueToTree(value));
                        ok.set("id", id);
                        return ok;
                    }
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof RpcException rpc) {
                        return error(id, rpc.code(), rpc.getMessage());
                    }
                    if (cause instanceof IllegalArgumentException) {
                        return error(id, RpcException.INVALID_PARAMS, cause.getMessage());
                    }
                    if (cause instanceof java.util.concurrent.TimeoutException) {
                        return error(id, RpcException.INTERNAL_ERROR, name + " timed out");
                    }
                    if (cause instanceof IllegalStateException) {
                        return error(id, RpcException.FAILURE, cause.getMessage()); // a method's own "could not"
                    }
                    LOG.warn("event=rpc_failed method={} error={}", name, cause.toString(), cause);
                    return error(id, RpcException.INTERNAL_ERROR, "Internal error: " + cause.getClass().getSimpleName());
                });
    }

    private ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode out = json.createObjectNode().put("jsonrpc", "2.0");
        out.putObject("error").put("code", code).put("message", message);
        out.set("id", id == null || id.isMissingNode() ? json.nullNode() : id);
        return out;
    }

    private byte[] write(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
