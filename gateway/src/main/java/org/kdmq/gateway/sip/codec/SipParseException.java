package org.kdmq.gateway.sip.codec;

import java.util.Optional;
import org.kdmq.gateway.sip.message.SipRequest;

/**
 * Bytes that are not a SIP message we accept: why (short enough for a reason phrase), on which line,
 * and, when the request can still be answered, the request as far as it was understood.
 */
public final class SipParseException extends Exception {
    private final String reason;
    private final int lineNumber;
    private final transient SipRequest partialRequest;

    public SipParseException(String reason, int lineNumber, SipRequest partialRequest) {
        super(lineNumber > 0 ? "line " + lineNumber + ": " + reason : reason, null, false, false);
        this.reason = reason;
        this.lineNumber = lineNumber;
        this.partialRequest = partialRequest;
    }

    public SipParseException(String reason, int lineNumber) {
        this(reason, lineNumber, null);
    }

    /** Why, in a few words fit for a SIP reason phrase ("Bad Content-Length"). */
    public String reason() {
        return reason;
    }

    /** 1-based line number of the problem; 0 when it is not about one line. */
    public int lineNumber() {
        return lineNumber;
    }

    /** The request with Via, From, To, Call-ID and CSeq, when it can be answered with a 400. */
    public Optional<SipRequest> partialRequest() {
        return Optional.ofNullable(partialRequest);
    }

    SipParseException withPartialRequest(SipRequest request) {
        return new SipParseException(reason, lineNumber, request);
    }
}
