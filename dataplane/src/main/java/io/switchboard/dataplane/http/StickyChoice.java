package io.switchboard.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.switchboard.model.HttpOptions;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.scheduler.PickContext;

/**
 * How a request names its endpoint: a hash key from a header or cookie (for the hashing
 * schedulers, so requests with one key reach one endpoint), and the sticky cookie that sends a
 * client back to the endpoint it had, valued by an opaque hash of that endpoint's address.
 */
final class StickyChoice {

    private StickyChoice() {
    }

    /** {@code base} with the request's hash key, when the Service names one and the request has it. */
    static PickContext withHashKey(PickContext base, HttpRequest req, HttpOptions.HashKey key) {
        String v = switch (key.source()) {
            case HEADER -> req.headers().get(key.name());
            case COOKIE -> cookie(req, key.name());
            default -> null;
        };
        return v == null ? base : base.withHashKey(hash(v));
    }

    /** The endpoint the request's sticky cookie names, if the Service has one and it is among {@code pool}'s. */
    static Backend preferred(HttpRequest req, String cookieName, BackendPool pool) {
        if (cookieName.isEmpty()) {
            return null;
        }
        String v = cookie(req, cookieName);
        if (v == null) {
            return null;
        }
        for (Backend b : pool.backends()) {
            if (value(b).equals(v)) {
                return b;
            }
        }
        return null;
    }

    /**
     * The sticky cookie for {@code b}: for the whole site ({@code Path=/}, or it would only come back
     * on paths under the first request's) and out of reach of page scripts; a session cookie, as
     * HAProxy's {@code cookie ... insert} sets by default.
     */
    static Cookie cookieFor(String name, Backend b) {
        DefaultCookie c = new DefaultCookie(name, value(b));
        c.setPath("/");
        c.setHttpOnly(true);
        return c;
    }

    /** The sticky cookie's value for an endpoint: an opaque hash of its address, not the address itself. */
    static String value(Backend b) {
        // Deliberately not HostPort.of: this is hash input, not display, and bracketing IPv6 here would
        // change every IPv6 endpoint's cookie, so sessions would move on upgrade and mixed-version fleets
        // would disagree. The full (uncompressed) IPv6 form keeps it unambiguous without brackets.
        return Long.toHexString(hash(b.address().getHostAddress() + ":" + b.port()));
    }

    private static String cookie(HttpRequest req, String name) {
        for (String header : req.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie c : ServerCookieDecoder.LAX.decode(header)) {
                if (c.name().equals(name)) {
                    return c.value();
                }
            }
        }
        return null;
    }

    /** FNV-1a, 64 bits: stable across runs and instances, so every proxy maps a key alike. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
