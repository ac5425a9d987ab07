package org.kdmq.gateway.ops;

/** A JSON-RPC error to return to the caller: a code and a message, never a stack trace. */
public final class RpcException extends RuntimeException {
    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;
    /** Kamailio's RPC fault code for a failed operation (e.g. dmq.remove of an unknown node). */
    public static final int FAILURE = 500;

    private final int code;

    public RpcException(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public static RpcException invalidParams(String message) {
        return new RpcException(INVALID_PARAMS, message);
    }

    public int code() {
        return code;
    }
}
