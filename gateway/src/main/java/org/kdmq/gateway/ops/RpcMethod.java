package org.kdmq.gateway.ops;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** One JSON-RPC method: its parameter names (positional order) and what it does. */
public interface RpcMethod {
    List<String> parameterNames();

    /** The result, as something Jackson can write; throw or fail the stage with RpcException. */
    CompletionStage<Object> call(RpcParams params);
}
