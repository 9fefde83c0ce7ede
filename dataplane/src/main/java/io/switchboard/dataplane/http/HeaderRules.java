package io.switchboard.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Header handling of a proxy (RFC 9110 section 7.6): hop-by-hop fields (those of section 7.6.1 and
 * any named by {@code Connection}) are not forwarded, forwarding information is appended, and body
 * framing is set anew for the next hop.
 */
final class HeaderRules {

    private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, "proxy-connection",
            HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION);
    private static final String HTTP2_EXTENSION_PREFIX = "x-http2-";

    private HeaderRules() {
    }

    /** True when the message asks to switch protocols (a WebSocket handshake, for instance). */
    static boolean isUpgrade(HttpMessage m) {
        return m.headers().contains(HttpHeaderNames.UPGRADE)
                && m.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /**
     * Removes hop-by-hop fields and Netty's HTTP/2 conversion fields. With {@code keepUpgrade} the
     * Upgrade handshake fields stay (they are tunnelled); with {@code keepTeTrailers} a
     * {@code te: trailers} stays, which gRPC requires of HTTP/2 requests.
     */
    static void stripHopByHop(HttpHeaders h, boolean keepUpgrade, boolean keepTeTrailers) {
        List<String> named = new ArrayList<>();
        for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty() && !(keepUpgrade && t.equals("upgrade"))) {
                    named.add(t);
                }
            }
        }
        boolean teTrailers = keepTeTrailers && h.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
        String upgrade = keepUpgrade ? h.get(HttpHeaderNames.UPGRADE) : null;
        for (CharSequence name : HOP_BY_HOP) {
            h.remove(name);
        }
        for (String name : named) {
            h.remove(name);
        }
        List<String> extensions = new ArrayList<>();
        for (var e : h) {
            if (e.getKey().regionMatches(true, 0, HTTP2_EXTENSION_PREFIX, 0, HTTP2_EXTENSION_PREFIX.length())) {
                extensions.add(e.getKey());
            }
        }
        extensions.forEach(h::remove);
        if (teTrailers) {
            h.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        if (upgrade != null) {
            h.set(HttpHeaderNames.UPGRADE, upgrade);
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
    }

    /** Appends the client to {@code X-Forwarded-For} and {@code Forwarded}, and sets {@code X-Forwarded-Proto}. */
    static void addForwarded(HttpHeaders h, InetSocketAddress client, String proto) {
        String ip = client.getAddress().getHostAddress();
        String xff = h.get("x-forwarded-for");
        h.set("x-forwarded-for", xff == null || xff.isBlank() ? ip : xff + ", " + ip);
        if (!h.contains("x-forwarded-proto")) {
            h.set("x-forwarded-proto", proto);
        }
        String node = client.getAddress() instanceof Inet6Address ? "\"[" + ip + "]\"" : ip;
        String element = "for=" + node + ";proto=" + proto;
        String fwd = h.get("forwarded");
        h.set("forwarded", fwd == null || fwd.isBlank() ? element : fwd + ", " + element);
    }

    /**
     * Sets HTTP/1.1 framing for a message about to be written: a known length stays; a body of
     * unknown length is chunked ({@code chunkedAllowed}) or delimited by closing the connection.
     */
    static void frameForHttp1(HttpMessage m, boolean hasBody, boolean chunkedAllowed) {
        if (!hasBody) {
            if (m instanceof io.netty.handler.codec.http.HttpRequest) {
                m.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            }
            return;
        }
        if (HttpUtil.isContentLengthSet(m)) {
            return;
        }
        if (chunkedAllowed) {
            HttpUtil.setTransferEncodingChunked(m, true);
        }
    }
}
