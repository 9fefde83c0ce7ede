package io.switchboard.dataplane.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Trailers as Netty's decoders make them, with Netty's trailer validation, but sized for the few
 * entries trailers have. Netty's HTTP/1 decoders give the last part of every body with a
 * Content-Length a trailers object of its own, which stays empty, and Netty's default sizes it for
 * 16 headers: one 16-slot table per response (and per request with a body) only to be dropped.
 */
final class SmallTrailers implements HttpHeadersFactory {

    static final SmallTrailers INSTANCE = new SmallTrailers();

    private static final DefaultHttpHeadersFactory NETTY = DefaultHttpHeadersFactory.trailersFactory();

    private SmallTrailers() {
    }

    @Override
    public HttpHeaders newHeaders() {
        return new Trailers();
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
        return new Trailers();
    }

    /** Netty's trailer headers with room for two entries before they grow. */
    private static final class Trailers extends DefaultHttpHeaders {
        Trailers() {
            super(NETTY.getNameValidator(), NETTY.getValueValidator(), 2);
        }
    }
}
