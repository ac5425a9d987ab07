package org.kdmq.gateway.sip.message;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** One Via value (RFC 3261 section 20.42): {@code SIP/2.0/TRANSPORT host[:port];params}. */
public final class Via {
    private final String transport;
    private final String host;
    private final int port;
    private final Map<String, String> parameters;

    private Via(String transport, String host, int port, Map<String, String> parameters) {
        this.transport = transport;
        this.host = host;
        this.port = port;
        this.parameters = parameters;
    }

    /** Parses the first via-parm of a header value that may hold several, comma-separated. */
    public static Via parseFirst(String headerValue) {
        if (headerValue == null) {
            throw new SipSyntaxException("Via is missing");
        }
        int end = firstValueEnd(headerValue);
        return parse(headerValue, 0, end < 0 ? headerValue.length() : end);
    }

    /** Index of the comma ending the first via-parm of a header value, or -1 when there is one only. */
    private static int firstValueEnd(String value) {
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted) {
                i++;
            } else if (c == ',' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** The header value with its first via-parm replaced by {@code first}, further ones kept. */
    public static String replaceFirst(String headerValue, Via first) {
        int end = firstValueEnd(headerValue);
        return first + (end < 0 ? "" : headerValue.substring(end));
    }

    /**
     * Parses {@code v[from, to)} in one pass over the header's own text: every response and request
     * is asked for its top Via, and copies of each piece (as trim and substring make) added up.
     */
    private static Via parse(String v, int from, int to) {
        from = Parameters.skipBlanks(v, from, to);
        to = Parameters.endBeforeBlanks(v, from, to);
        // sent-protocol: "SIP" / "2.0" / transport, whitespace allowed around the slashes
        int slash1 = indexOf(v, '/', from, to);
        int slash2 = slash1 < 0 ? -1 : indexOf(v, '/', slash1 + 1, to);
        if (slash2 < 0) {
            throw new SipSyntaxException("Via has no SIP/2.0/TRANSPORT: " + v.substring(from, to));
        }
        if (!trimmedIs(v, from, slash1, "SIP", true) || !trimmedIs(v, slash1 + 1, slash2, "2.0", false)) {
            throw new SipSyntaxException("Via protocol is not SIP/2.0: " + v.substring(from, to));
        }
        int i = slash2 + 1;
        while (i < to && (v.charAt(i) == ' ' || v.charAt(i) == '\t')) {
            i++;
        }
        int transportStart = i;
        while (i < to && v.charAt(i) != ' ' && v.charAt(i) != '\t') {
            i++;
        }
        String transport = transport(v, transportStart, i);
        if (transport.isEmpty() || !Parameters.isToken(transport)) {
            throw new SipSyntaxException("Via has no transport: " + v.substring(from, to));
        }
        int sentByStart = Parameters.skipBlanks(v, i, to);
        int close = sentByStart < to && v.charAt(sentByStart) == '[' ? indexOf(v, ']', sentByStart, to) : -1;
        int semi = indexOf(v, ';', Math.max(sentByStart, close), to);
        int sentByEnd = Parameters.endBeforeBlanks(v, sentByStart, semi < 0 ? to : semi);
        Map<String, String> params = semi < 0 ? Map.of() : Parameters.parse(v, semi, to, "Via");
        if (sentByStart == sentByEnd) {
            throw new SipSyntaxException("Via has no sent-by host: " + v.substring(from, to));
        }
        String host;
        int port = -1;
        if (v.charAt(sentByStart) == '[') {
            if (close < 0 || close >= sentByEnd) {
                throw new SipSyntaxException("unclosed '[' in Via host");
            }
            host = v.substring(sentByStart, close + 1);
            int after = Parameters.skipBlanks(v, close + 1, sentByEnd);
            if (after < sentByEnd && v.charAt(after) == ':') {
                port = parsePort(v, after + 1, sentByEnd);
            } else if (after < sentByEnd) {
                throw new SipSyntaxException("unexpected text after Via host: " + v.substring(after, sentByEnd));
            }
        } else {
            int colon = indexOf(v, ':', sentByStart, sentByEnd);
            if (colon >= 0) {
                host = Parameters.trimmed(v, sentByStart, colon);
                port = parsePort(v, colon + 1, sentByEnd);
            } else {
                host = v.substring(sentByStart, sentByEnd);
            }
            if (host.isEmpty() || host.indexOf(' ') >= 0) {
                throw new SipSyntaxException("bad Via host: " + v.substring(sentByStart, sentByEnd));
            }
        }
        return new Via(transport, host, port, params);
    }

    private static int indexOf(String s, char c, int from, int to) {
        int at = s.indexOf(c, from);
        return at < to ? at : -1;
    }

    /** Whether {@code s[from, to)} is {@code expected} once blanks around it are dropped. */
    private static boolean trimmedIs(String s, int from, int to, String expected, boolean ignoreCase) {
        int start = Parameters.skipBlanks(s, from, to);
        int end = Parameters.endBeforeBlanks(s, start, to);
        return end - start == expected.length() && s.regionMatches(ignoreCase, start, expected, 0, expected.length());
    }

    private static final String[] KNOWN_TRANSPORTS = {"UDP", "TCP", "TLS", "SCTP", "WS", "WSS"};

    /** The transport upper-cased; the usual ones as constants, with no copy made. */
    private static String transport(String s, int from, int to) {
        for (String known : KNOWN_TRANSPORTS) {
            if (to - from == known.length() && s.regionMatches(true, from, known, 0, known.length())) {
                return known;
            }
        }
        return upper(s.substring(from, to));
    }

    private static int parsePort(String s, int from, int to) {
        String text = Parameters.trimmed(s, from, to);
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw new SipSyntaxException("Via port out of range: " + text);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new SipSyntaxException("bad Via port: " + text);
        }
    }

    public static Via of(String transport, String host, int port, String branch) {
        Map<String, String> params = new LinkedHashMap<>();
        if (branch != null) {
            params.put("branch", branch);
        }
        return new Via(upper(transport), host, port, java.util.Collections.unmodifiableMap(params));
    }

    /** Transport upper-cased: UDP, TCP, TLS, SCTP, WS, WSS. */
    public String transport() {
        return transport;
    }

    public String host() {
        return host;
    }

    /** Port or -1 when absent. */
    public int port() {
        return port;
    }

    public Map<String, String> parameters() {
        return parameters;
    }

    public String branch() {
        return parameters.get("branch");
    }

    public String received() {
        return parameters.get("received");
    }

    /** rport: null when absent, "" when present without a value, else the value. */
    public String rport() {
        return parameters.get("rport");
    }

    /**
     * A Via equal to this one with received/rport set (RFC 3261 18.2.1, RFC 3581): received when given
     * (non-null), rport's value only when the request asked for it with an empty rport.
     */
    public Via withReceived(String receivedHost, int rportValue) {
        Map<String, String> params = new LinkedHashMap<>(parameters);
        if (receivedHost != null) {
            params.put("received", receivedHost);
        }
        if ("".equals(params.get("rport")) && rportValue > 0) {
            params.put("rport", Integer.toString(rportValue));
        }
        return new Via(transport, host, port, java.util.Collections.unmodifiableMap(params));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(64).append("SIP/2.0/").append(transport).append(' ').append(host);
        if (port > 0) {
            sb.append(':').append(port);
        }
        Parameters.write(sb, parameters);
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Via v && transport.equals(v.transport) && host.equalsIgnoreCase(v.host) && port == v.port
                && parameters.equals(v.parameters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(transport, host.toLowerCase(Locale.ROOT), port, parameters);
    }

    /** Upper case without a copy when it already is (transports nearly always are: "UDP", "TCP"). */
    private static String upper(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isLowerCase(s.charAt(i))) {
                return s.toUpperCase(Locale.ROOT);
            }
        }
        return s;
    }
}
