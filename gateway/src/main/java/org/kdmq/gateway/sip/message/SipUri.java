package org.kdmq.gateway.sip.message;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable sip: or sips: URI (RFC 3261 section 19.1): {@code sip:user:password@host:port;params?headers}.
 * IPv6 hosts keep their brackets in {@link #host()}. Parameter names are lower-cased.
 */
public final class SipUri {
    private final String scheme;
    private final String user;
    private final String password;
    private final String host;
    private final int port;
    private final Map<String, String> parameters;
    private final Map<String, String> headers;

    private SipUri(String scheme, String user, String password, String host, int port, Map<String, String> parameters,
                   Map<String, String> headers) {
        this.scheme = scheme;
        this.user = user;
        this.password = password;
        this.host = host;
        this.port = port;
        this.parameters = parameters;
        this.headers = headers;
    }

    /** Parses sip:/sips: URIs: user[:password]@host[:port];params?headers; IPv6 hosts in brackets. */
    public static SipUri parse(String text) {
        if (text == null) {
            throw new SipSyntaxException("URI is missing");
        }
        String s = text.trim();
        int colon = s.indexOf(':');
        if (colon <= 0) {
            throw new SipSyntaxException("URI has no scheme: " + abbreviate(s));
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("sip") && !scheme.equals("sips")) {
            throw new SipSyntaxException("unsupported URI scheme '" + scheme + "' (only sip: and sips:)");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new SipSyntaxException("URI contains whitespace or a control character: " + abbreviate(s));
            }
        }
        String rest = s.substring(colon + 1);
        String headerPart = null;
        int question = rest.indexOf('?');
        if (question >= 0) {
            headerPart = rest.substring(question + 1);
            rest = rest.substring(0, question);
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userinfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int pw = userinfo.indexOf(':');
            if (pw >= 0) {
                password = userinfo.substring(pw + 1);
                userinfo = userinfo.substring(0, pw);
            }
            if (userinfo.isEmpty()) {
                throw new SipSyntaxException("URI has '@' but an empty user part");
            }
            user = userinfo;
        }
        String hostport = rest;
        String paramPart = "";
        int semi = hostport.indexOf(';', hostport.startsWith("[") ? Math.max(0, hostport.indexOf(']')) : 0);
        if (semi >= 0) {
            paramPart = hostport.substring(semi);
            hostport = hostport.substring(0, semi);
        }
        String host;
        int port = -1;
        if (hostport.startsWith("[")) {
            int close = hostport.indexOf(']');
            if (close < 0) {
                throw new SipSyntaxException("unclosed '[' in IPv6 host");
            }
            host = hostport.substring(0, close + 1);
            if (!isIpv6(host.substring(1, close))) {
                throw new SipSyntaxException("bad IPv6 address " + host);
            }
            String after = hostport.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new SipSyntaxException("unexpected text after IPv6 host: " + after);
                }
                port = parsePort(after.substring(1));
            }
        } else {
            int portColon = hostport.indexOf(':');
            if (portColon >= 0) {
                host = hostport.substring(0, portColon);
                port = parsePort(hostport.substring(portColon + 1));
            } else {
                host = hostport;
            }
            if (host.isEmpty()) {
                throw new SipSyntaxException("URI has no host: " + abbreviate(s));
            }
            if (!isHostname(host)) {
                throw new SipSyntaxException("bad host '" + abbreviate(host) + "'");
            }
        }
        Map<String, String> params = Parameters.parse(paramPart, "URI");
        Map<String, String> headers = headerPart == null ? Map.of() : parseHeaders(headerPart);
        return new SipUri(scheme, user, password, host, port, params, headers);
    }

    private static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5) {
            throw new SipSyntaxException("bad port '" + text + "'");
        }
        int port = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new SipSyntaxException("bad port '" + text + "'");
            }
            port = port * 10 + (c - '0');
        }
        if (port == 0 || port > 65535) {
            throw new SipSyntaxException("port out of range: " + text);
        }
        return port;
    }

    private static boolean isHostname(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '.' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv6(String text) {
        if (text.isEmpty() || text.indexOf(':') < 0) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> parseHeaders(String text) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new SipSyntaxException("bad URI header '" + pair + "'");
            }
            headers.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return Collections.unmodifiableMap(headers);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** "sip" or "sips", lower case. */
    public String scheme() {
        return scheme;
    }

    /** User part, or null when absent. */
    public String user() {
        return user;
    }

    /** Password part, or null. */
    public String password() {
        return password;
    }

    /** Host as written; IPv6 references keep their brackets, e.g. "[::1]". */
    public String host() {
        return host;
    }

    /** Port, or -1 when the URI has none. */
    public int port() {
        return port;
    }

    /** Port, or the default for the scheme/transport (5060, 5061 for sips or transport=tls). */
    public int portOrDefault() {
        if (port > 0) {
            return port;
        }
        return "sips".equals(scheme) || "tls".equals(transport()) ? 5061 : 5060;
    }

    /** URI parameters in order; names lower-cased; a parameter without '=' maps to "". */
    public Map<String, String> parameters() {
        return parameters;
    }

    /** A parameter's value, or null. */
    public String parameter(String name) {
        return parameters.get(name.toLowerCase(Locale.ROOT));
    }

    /** The transport param lower-cased, or null. */
    public String transport() {
        String t = parameters.get("transport");
        return t == null ? null : t.toLowerCase(Locale.ROOT);
    }

    /** URI headers (after '?') in order. */
    public Map<String, String> headers() {
        return headers;
    }

    /** Canonical text form; parse(x).toString() parses back to an equal SipUri. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(48).append(scheme).append(':');
        if (user != null) {
            sb.append(user);
            if (password != null) {
                sb.append(':').append(password);
            }
            sb.append('@');
        }
        sb.append(host);
        if (port > 0) {
            sb.append(':').append(port);
        }
        Parameters.write(sb, parameters);
        if (!headers.isEmpty()) {
            sb.append('?');
            boolean first = true;
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (!first) {
                    sb.append('&');
                }
                sb.append(e.getKey()).append('=').append(e.getValue());
                first = false;
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SipUri u && scheme.equals(u.scheme) && Objects.equals(user, u.user)
                && Objects.equals(password, u.password) && host.equalsIgnoreCase(u.host) && port == u.port
                && parameters.equals(u.parameters) && headers.equals(u.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheme, user, host.toLowerCase(Locale.ROOT), port, parameters);
    }
}
