package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A client side that collects what is written to it, framed as the HTTP/1.1 handler frames it (or,
 * with {@code http2}, passed as the HTTP/2 stream passes it).
 */
final class RecordingDownstream implements Downstream {

    static final InetSocketAddress CLIENT = new InetSocketAddress(Pools.ip("192.0.2.1"), 40000);

    final List<HttpObject> written = new ArrayList<>();
    final boolean http2;
    boolean writable = true;
    /** The last backpressure call, null before any. */
    Boolean readable;
    int flushes;

    RecordingDownstream(boolean http2) {
        this.http2 = http2;
    }

    @Override public EventLoop eventLoop() { throw new UnsupportedOperationException(); }
    @Override public InetSocketAddress client() { return CLIENT; }
    @Override public HeaderRules.Forwarding forwarding() { return HeaderRules.Forwarding.of(CLIENT, "http"); }
    @Override public void write(HttpObject msg) { written.add(msg); }
    @Override public void flush() { flushes++; }
    @Override public boolean isWritable() { return writable; }
    @Override public void setReadable(boolean r) { readable = r; }
    @Override public boolean chunkedAllowed() { return true; }
    @Override public boolean isHttp2() { return http2; }
    @Override public void exchangeDone(Exchange e, boolean reusable) { throw new UnsupportedOperationException(); }
    @Override public void abort() { throw new UnsupportedOperationException(); }
    @Override public void tunnel(Channel upstream, long idleTimeoutNanos) { throw new UnsupportedOperationException(); }

    @Override
    public boolean writeResponseHead(HttpResponse head, boolean hasBody, boolean keepAlive, HttpVersion version) {
        if (http2) {
            write(head);
            return true;
        }
        return Http1Framing.writeHead(head, hasBody, true, keepAlive, false, version, this::write);
    }

    @Override
    public void writeLast(LastHttpContent last) {
        write(last);
    }

    @Override
    public void writeInterim(HttpResponse interim) {
        Http1Framing.writeInterimHttp1(interim, this::write);
    }

    void releaseAll() {
        written.forEach(ReferenceCountUtil::release);
    }
}
