package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.routing.Backend;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** An endpoint path that collects what is written to it, as an HTTP/1.1 endpoint connection would take it. */
final class RecordingUpstream implements UpstreamStream {

    final List<HttpObject> written = new ArrayList<>();
    boolean writable = true;
    /** The last backpressure call, null before any. */
    Boolean readable;

    @Override public Backend backend() { return null; }
    @Override public void bind(Exchange exchange) { }
    @Override public void write(HttpObject msg) { written.add(msg); }
    @Override public void flush() { }
    @Override public boolean isWritable() { return writable; }
    @Override public void setReadable(boolean r) { readable = r; }
    @Override public boolean reused() { return false; }
    @Override public void release(boolean reusable) { }
    @Override public Channel detach() { return null; }

    /** The body written, each last part marked by {@code |}. */
    String text() {
        StringBuilder sb = new StringBuilder();
        for (HttpObject o : written) {
            if (o instanceof HttpContent c) {
                sb.append(c.content().toString(StandardCharsets.US_ASCII));
            }
            if (o instanceof LastHttpContent) {
                sb.append('|');
            }
        }
        return sb.toString();
    }

    void releaseAll() {
        written.forEach(ReferenceCountUtil::release);
    }
}
