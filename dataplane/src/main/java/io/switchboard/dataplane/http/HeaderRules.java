package io.switchboard.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Header handling of a proxy (RFC 9110 section 7.6): hop-by-hop fields (those of section 7.6.1 and
 * any named by {@code Connection}) are not forwarded, forwarding information is appended, and body
 * framing is set anew for the next hop.
 */
final class HeaderRules {

    private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, "proxy-connection",
            HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION);
    /** Indexed by name length: whether some hop-by-hop name has it. */
    private static final boolean[] HOP_BY_HOP_LENGTH = new boolean[32];
    static {
        HOP_BY_HOP.forEach(name -> HOP_BY_HOP_LENGTH[name.length()] = true);
    }
    private static final String HTTP2_EXTENSION_PREFIX = "x-http2-";
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString FORWARDED = AsciiString.cached("forwarded");

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
        // One pass finds what is there to strip (usually just an endpoint's "Connection: keep-alive"),
        // rather than a removal attempt per hop-by-hop name on every message.
        List<CharSequence> strip = null;
        boolean connection = false;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        while (it.hasNext()) {
            CharSequence name = it.next().getKey();
            if (isHopByHop(name) || isHttp2Extension(name)) {
                if (strip == null) {
                    strip = new ArrayList<>(4);
                }
                strip.add(name);
                connection |= AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION);
            }
        }
        if (strip == null) {
            return;
        }
        if (connection) {
            addConnectionOptions(h, keepUpgrade, strip);
        }
        boolean teTrailers = keepTeTrailers && h.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
        String upgrade = keepUpgrade ? h.get(HttpHeaderNames.UPGRADE) : null;
        for (CharSequence name : strip) {
            h.remove(name);
        }
        if (teTrailers) {
            h.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        if (upgrade != null) {
            h.set(HttpHeaderNames.UPGRADE, upgrade);
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
    }

    /** Adds the fields a {@code Connection} header names (its options) to {@code strip}. */
    private static void addConnectionOptions(HttpHeaders h, boolean keepUpgrade, List<CharSequence> strip) {
        List<String> values = h.getAll(HttpHeaderNames.CONNECTION);
        if (values.size() == 1 && (values.get(0).equalsIgnoreCase("keep-alive") || values.get(0).equalsIgnoreCase("close"))) {
            // Nearly every message: the one option names a field stripped anyway (keep-alive) or none
            // that exists (close); no token parsing needed.
            strip.add(values.get(0).toLowerCase(Locale.ROOT));
            return;
        }
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                // Host is end-to-end whatever Connection says: naming it there must not strip it.
                if (!t.isEmpty() && !(keepUpgrade && t.equals("upgrade")) && !t.equals("host")) {
                    strip.add(t);
                }
            }
        }
    }

    private static boolean isHopByHop(CharSequence name) {
        // Most names are end-to-end and differ in length from every hop-by-hop one: one array read
        // settles them, rather than nine comparisons each.
        int n = name.length();
        if (n >= HOP_BY_HOP_LENGTH.length || !HOP_BY_HOP_LENGTH[n]) {
            return false;
        }
        for (CharSequence hop : HOP_BY_HOP) {
            if (AsciiString.contentEqualsIgnoreCase(name, hop)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isHttp2Extension(CharSequence name) {
        return name.length() > HTTP2_EXTENSION_PREFIX.length() && (name.charAt(0) | 0x20) == 'x'
                && AsciiString.regionMatches(name, true, 0, HTTP2_EXTENSION_PREFIX, 0, HTTP2_EXTENSION_PREFIX.length());
    }

    /**
     * A client's contribution to forwarding headers, built once per connection.
     *
     * @param ip      the client address as written in {@code X-Forwarded-For}
     * @param element the {@code Forwarded} element (RFC 7239) naming the client and protocol
     * @param proto   the protocol the client spoke, for {@code X-Forwarded-Proto}
     */
    record Forwarding(String ip, String element, String proto) {
        static Forwarding of(InetSocketAddress client, String proto) {
            String ip = client.getAddress().getHostAddress();
            String node = client.getAddress() instanceof Inet6Address ? "\"[" + ip + "]\"" : ip;
            return new Forwarding(ip, "for=" + node + ";proto=" + proto, proto);
        }
    }

    /** Appends the client to {@code X-Forwarded-For} and {@code Forwarded}, and sets {@code X-Forwarded-Proto} anew. */
    static void addForwarded(HttpHeaders h, Forwarding f) {
        // Absent (the usual case) is added, not set: set would first look for values to remove.
        String xff = h.get(X_FORWARDED_FOR);
        if (xff == null) {
            h.add(X_FORWARDED_FOR, f.ip());
        } else {
            h.set(X_FORWARDED_FOR, xff.isBlank() ? f.ip() : xff + ", " + f.ip());
        }
        // Replaced, never kept: the protocol the client spoke to this proxy is known here, and a
        // client's own claim (https, say) would mislead the endpoint.
        h.set(X_FORWARDED_PROTO, f.proto());
        String fwd = h.get(FORWARDED);
        if (fwd == null) {
            h.add(FORWARDED, f.element());
        } else {
            h.set(FORWARDED, fwd.isBlank() ? f.element() : fwd + ", " + f.element());
        }
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
