package org.kdmq.gateway.sip.message;

import java.util.Map;

/** STUB: API fixed, implementation pending (helper A). */
public final class SipUri {
    /** Parses sip:/sips: URIs: user[:password]@host[:port];params?headers; IPv6 hosts in brackets. */
    public static SipUri parse(String text) { throw new UnsupportedOperationException(); }
    /** "sip" or "sips", lower case. */
    public String scheme() { throw new UnsupportedOperationException(); }
    /** User part, or null when absent. */
    public String user() { throw new UnsupportedOperationException(); }
    /** Host as written; IPv6 references keep their brackets, e.g. "[::1]". */
    public String host() { throw new UnsupportedOperationException(); }
    /** Port, or -1 when the URI has none. */
    public int port() { throw new UnsupportedOperationException(); }
    /** Port, or the default for the scheme/transport (5060, 5061 for sips or transport=tls). */
    public int portOrDefault() { throw new UnsupportedOperationException(); }
    /** URI parameters in order; names lower-cased; a parameter without '=' maps to "". */
    public Map<String, String> parameters() { throw new UnsupportedOperationException(); }
    /** A parameter's value, or null. */
    public String parameter(String name) { throw new UnsupportedOperationException(); }
    /** The transport param lower-cased, or null. */
    public String transport() { throw new UnsupportedOperationException(); }
    /** URI headers (after '?') in order. */
    public Map<String, String> headers() { throw new UnsupportedOperationException(); }
    /** Canonical text form; parse(x).toString() parses back to an equal SipUri. */
    @Override public String toString() { throw new UnsupportedOperationException(); }
}
