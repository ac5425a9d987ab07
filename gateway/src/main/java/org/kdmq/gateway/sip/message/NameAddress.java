package org.kdmq.gateway.sip.message;

import java.util.Map;
import java.util.Objects;

/**
 * A From/To/Contact value (RFC 3261 section 20.10): {@code "Display" <uri>;params}, {@code Display <uri>},
 * or an addr-spec without brackets, whose ';' parameters are then header parameters (such as tag).
 */
public final class NameAddress {
    private final String displayName;
    private final SipUri uri;
    private final Map<String, String> parameters;

    private NameAddress(String displayName, SipUri uri, Map<String, String> parameters) {
        this.displayName = displayName;
        this.uri = uri;
        this.parameters = parameters;
    }

    public static NameAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new SipSyntaxException("empty name-addr");
        }
        String s = text.trim();
        String display = null;
        int i = 0;
        if (s.charAt(0) == '"') {
            int end = Parameters.closingQuote(s, 0);
            if (end < 0) {
                throw new SipSyntaxException("unclosed quote in display name");
            }
            display = Parameters.unescape(s.substring(1, end));
            i = end + 1;
        }
        int lt = s.indexOf('<', i);
        if (lt >= 0) {
            if (display == null) {
                String token = s.substring(i, lt).trim();
                display = token.isEmpty() ? null : token;
            } else if (!s.substring(i, lt).isBlank()) {
                throw new SipSyntaxException("text between display name and '<'");
            }
            int gt = s.indexOf('>', lt);
            if (gt < 0) {
                throw new SipSyntaxException("missing '>' in name-addr");
            }
            SipUri uri = SipUri.parse(s.substring(lt + 1, gt));
            Map<String, String> params = Parameters.parse(s.substring(gt + 1), "header");
            return new NameAddress(display, uri, params);
        }
        if (display != null) {
            throw new SipSyntaxException("display name without '<uri>'");
        }
        // addr-spec: parameters after the URI belong to the header, not to the URI.
        int semi = s.indexOf(';');
        String uriText = semi < 0 ? s : s.substring(0, semi);
        Map<String, String> params = semi < 0 ? Map.of() : Parameters.parse(s.substring(semi), "header");
        return new NameAddress(null, SipUri.parse(uriText), params);
    }

    /** Display name without quotes, or null. */
    public String displayName() {
        return displayName;
    }

    public SipUri uri() {
        return uri;
    }

    /** Header parameters (after the URI / '>'), names lower-cased. */
    public Map<String, String> parameters() {
        return parameters;
    }

    public String tag() {
        return parameters.get("tag");
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(64);
        if (displayName != null) {
            sb.append('"').append(displayName.replace("\\", "\\\\").replace("\"", "\\\"")).append("\" ");
        }
        sb.append('<').append(uri).append('>');
        Parameters.write(sb, parameters);
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NameAddress n && Objects.equals(displayName, n.displayName) && uri.equals(n.uri)
                && parameters.equals(n.parameters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(displayName, uri, parameters);
    }

    /**
     * Whether a To/From value has a tag parameter, without parsing it: header parameters follow the
     * closing '>' (or the URI itself when unbracketed). For the hot path of answering requests.
     */
    public static boolean hasTag(String value) {
        int gt = value.lastIndexOf('>');
        for (int semi = value.indexOf(';', gt + 1); semi >= 0; semi = value.indexOf(';', semi + 1)) {
            int i = semi + 1;
            while (i < value.length() && Character.isWhitespace(value.charAt(i))) {
                i++;
            }
            if (value.regionMatches(true, i, "tag", 0, 3)) {
                int j = i + 3;
                while (j < value.length() && Character.isWhitespace(value.charAt(j))) {
                    j++;
                }
                if (j < value.length() && value.charAt(j) == '=') {
                    return true;
                }
            }
        }
        return false;
    }
}
