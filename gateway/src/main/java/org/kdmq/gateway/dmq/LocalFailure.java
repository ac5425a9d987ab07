package org.kdmq.gateway.dmq;

/** A request ended without a response from the network: a local 408 (timer F) or 503 (unreachable). */
public final class LocalFailure extends RuntimeException {
    private final int statusCode;
    private final String reason;

    public LocalFailure(int statusCode, String reason) {
        super(statusCode + " " + reason, null, false, false);
        this.statusCode = statusCode;
        this.reason = reason;
    }

    public int statusCode() {
        return statusCode;
    }

    public String reason() {
        return reason;
    }
}
