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
        return parse(firstValue(headerValue));
    }

    private static String firstValue(String value) {
        int end = firstValueEnd(value);
        return end < 0 ? value : value.substring(0, end);
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

    private static Via parse(String text) {
        String s = text.trim();
        // sent-protocol: "SIP" / "2.0" / transport, whitespace allowed around the slashes
        int slash1 = s.indexOf('/');
        int slash2 = slash1 < 0 ? -1 : s.indexOf('/', slash1 + 1);
        if (slash2 < 0) {
            throw new SipSyntaxException("Via has no SIP/2.0/TRANSPORT: " + s);
        }
        String name = s.substring(0, slash1).trim();
        String version = s.substring(slash1 + 1, slash2).trim();
        if (!name.equalsIgnoreCase("SIP") || !version.equals("2.0")) {
            throw new SipSyntaxException("Via protocol is not SIP/2.0: " + s);
        }
        int i = slash2 + 1;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        int tStart = i;
        while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
            i++;
        }
        String transport = upper(s.substring(tStart, i));
        if (transport.isEmpty() || !Parameters.isToken(transport)) {
            throw new SipSyntaxException("Via has no transport: " + s);
        }
        String rest = s.substring(i).trim();
        int semi = rest.indexOf(';', rest.startsWith("[") ? Math.max(0, rest.indexOf(']')) : 0);
        String sentBy = (semi < 0 ? rest : rest.substring(0, semi)).trim();
        Map<String, String> params = semi < 0 ? Map.of() : Parameters.parse(rest.substring(semi), "Via");
        if (sentBy.isEmpty()) {
            throw new SipSyntaxException("Via has no sent-by host: " + s);
        }
        String host;
        int port = -1;
        if (sentBy.startsWith("[")) {
            int close = sentBy.indexOf(']');
            if (close < 0) {
                throw new SipSyntaxException("unclosed '[' in Via host");
            }
            host = sentBy.substring(0, close + 1);
            String after = sentBy.substring(close + 1).trim();
            if (after.startsWith(":")) {
                port = parsePort(after.substring(1).trim());
            } else if (!after.isEmpty()) {
                throw new SipSyntaxException("unexpected text after Via host: " + after);
            }
        } else {
            int colon = sentBy.indexOf(':');
            if (colon >= 0) {
                host = sentBy.substring(0, colon).trim();
                port = parsePort(sentBy.substring(colon + 1).trim());
            } else {
                host = sentBy;
            }
            if (host.isEmpty() || host.indexOf(' ') >= 0) {
                throw new SipSyntaxException("bad Via host: " + sentBy);
            }
        }
        return new Via(transport, host, port, params);
    }

    private static int parsePort(String text) {
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
