package org.kdmq.gateway.sip.message;

import java.util.Map;

/** STUB: API fixed, implementation pending (helper A). One Via value: SIP/2.0/TRANSPORT host[:port];params */
public final class Via {
    /** Parses the first via-parm of a header value that may hold several, comma-separated. */
    public static Via parseFirst(String headerValue) { throw new UnsupportedOperationException(); }
    /** Transport upper-cased: UDP, TCP, TLS, SCTP, WS, WSS. */
    public String transport() { throw new UnsupportedOperationException(); }
    public String host() { throw new UnsupportedOperationException(); }
    /** Port or -1 when absent. */
    public int port() { throw new UnsupportedOperationException(); }
    public Map<String, String> parameters() { throw new UnsupportedOperationException(); }
    public String branch() { throw new UnsupportedOperationException(); }
    public String received() { throw new UnsupportedOperationException(); }
    /** rport: null when absent, "" when present without a value, else the value. */
    public String rport() { throw new UnsupportedOperationException(); }
    /** A Via equal to this one with received/rport set (RFC 3261 18.2.1, RFC 3581). */
    public Via withReceived(String receivedHost, int rportValue) { throw new UnsupportedOperationException(); }
    public static Via of(String transport, String host, int port, String branch) { throw new UnsupportedOperationException(); }
    @Override public String toString() { throw new UnsupportedOperationException(); }
}
