package io.switchboard.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What an HTTP/1.x request head must be before it is forwarded (RFC 9112): exactly one valid
 * {@code Host} (required in HTTP/1.1); a target in absolute form replaces {@code Host} with its
 * authority and is sent on in origin form (section 3.2.2); a {@code Transfer-Encoding} other than a
 * single {@code chunked} is a coding this proxy does not understand, hence 501 (section 6.1), since
 * it decodes the framing and sets it anew for the endpoint.
 */
final class RequestHeadRules {

    /** A refusal: the status and the text said to the client. */
    record Refusal(HttpResponseStatus status, String text) {
    }

    /** {@code uri-host [":" port]}: an IP literal in brackets, or reg-name / IPv4 characters. */
    private static final Pattern HOST = Pattern.compile(
            "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9\\-._~!$&'()*+,;=%]+)(:[0-9]{0,5})?");

    private RequestHeadRules() {
    }

    /** Null when {@code req} may go on (normalised in place), else why not. */
    static Refusal check(HttpRequest req) {
        List<String> hosts = req.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "more than one Host header\n");
        }
        String uri = req.uri();
        if (uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8)) {
            Refusal r = absoluteForm(req, uri);
            if (r != null) {
                return r;
            }
        } else if (hosts.isEmpty() && req.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "HTTP/1.1 request without Host\n");
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host != null && !plainHost(host) && !HOST.matcher(host).matches()) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "invalid Host header\n");
        }
        List<String> codings = req.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!codings.isEmpty()) {
            List<String> tokens = codings.stream().flatMap(v -> java.util.Arrays.stream(v.split(",")))
                    .map(t -> t.trim().toLowerCase(Locale.ROOT)).filter(t -> !t.isEmpty()).toList();
            if (!tokens.equals(List.of("chunked"))) {
                return new Refusal(HttpResponseStatus.NOT_IMPLEMENTED, "transfer coding \""
                        + String.join(", ", tokens) + "\" is not supported; only chunked is\n");
            }
        }
        return null;
    }

    /**
     * The common case of a valid Host, checked without the regular expression (which cost more than
     * the rest of the head's checks together): a name or IPv4 address of letters, digits, dots and
     * dashes, with an optional port of up to five digits. Everything it accepts, {@link #HOST} does.
     */
    static boolean plainHost(String host) {
        int n = host.length();
        int i = 0;
        while (i < n) {
            char c = host.charAt(i);
            if (c == ':') {
                break;
            }
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
                return false;
            }
            i++;
        }
        if (i == 0) {
            return false;
        }
        if (i == n) {
            return true;
        }
        int digits = n - i - 1;
        if (digits > 5) {
            return false;
        }
        for (int j = i + 1; j < n; j++) {
            char c = host.charAt(j);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code host} is a valid {@code uri-host [":" port]} by the full grammar. */
    static boolean validHostByGrammar(String host) {
        return HOST.matcher(host).matches();
    }

    /** The authority of an absolute-form target becomes {@code Host}; the target goes on in origin form. */
    private static Refusal absoluteForm(HttpRequest req, String uri) {
        URI u;
        try {
            u = new URI(uri);
        } catch (java.net.URISyntaxException e) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "invalid request target\n");
        }
        String authority = u.getRawAuthority();
        if (authority == null || authority.isEmpty() || authority.contains("@")) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "invalid authority in the request target\n");
        }
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        req.setUri(u.getRawQuery() == null ? path : path + "?" + u.getRawQuery());
        req.headers().set(HttpHeaderNames.HOST, authority);
        return null;
    }
}
