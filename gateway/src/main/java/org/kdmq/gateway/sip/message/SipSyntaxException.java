package org.kdmq.gateway.sip.message;

/** A header value, URI or other structured field that does not follow the SIP grammar. */
public class SipSyntaxException extends IllegalArgumentException {
    public SipSyntaxException(String message) {
        super(message);
    }
}
