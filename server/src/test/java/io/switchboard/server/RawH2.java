package io.switchboard.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/2 (h2c, prior knowledge) client that writes frames exactly as told, as a hostile client
 * would: streams whose bodies never come, HEADERS followed at once by RST_STREAM. A reader thread
 * records what the server answers: response statuses by stream, resets, and a GOAWAY's error code.
 */
final class RawH2 implements AutoCloseable {

    static final int NO_ERROR = 0x0;
    static final int PROTOCOL_ERROR = 0x1;
    static final int CANCEL = 0x8;
    static final int ENHANCE_YOUR_CALM = 0xb;

    private final Socket socket;
    private final OutputStream out;
    private final Thread reader;
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
    /** For arbitrary header lists; never indexes, so the server's table stays as the literal writes expect. */
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.ALWAYS_SENSITIVE);
    /** Response statuses by stream. */
    final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    final AtomicInteger resets = new AtomicInteger();
    /** Response body bytes received, by stream. */
    final Map<Integer, Integer> received = new ConcurrentHashMap<>();
    /** Streams the server ended (END_STREAM on a HEADERS or DATA frame). */
    final Set<Integer> ended = ConcurrentHashMap.newKeySet();
    /** Whether received DATA is given back to the server's windows at once, as a reading client does. */
    private final boolean returnWindow;
    /** The error code of the first RST_STREAM the server sent, by stream. */
    final Map<Integer, Long> resetCodes = new ConcurrentHashMap<>();
    /** The first GOAWAY's error code (it says why the connection ends), or -1 before one. */
    final AtomicLong goAway = new AtomicLong(-1);
    volatile boolean closedByPeer;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    RawH2(String host, int port) throws IOException {
        this(host, port, -1);
    }

    /**
     * With {@code initialWindow} at least 0, the client announces that stream window
     * (SETTINGS_INITIAL_WINDOW_SIZE) and gives received bytes back as it reads them.
     */
    RawH2(String host, int port, int initialWindow) throws IOException {
        returnWindow = initialWindow >= 0;
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(0x4, 0, 0, returnWindow ? new byte[] {0, 0x4, (byte) (initialWindow >>> 24), (byte) (initialWindow >>> 16),
                (byte) (initialWindow >>> 8), (byte) initialWindow} : new byte[0]);
        flush();
        reader = new Thread(this::read, "raw-h2-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** A request's HEADERS (GET or POST to {@code /}); with {@code endStream} no body follows. */
    RawH2 headers(int stream, String method, boolean endStream) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(method.equals("POST") ? 0x83 : 0x82); // :method from the static table
        b.write(0x86); // :scheme http
        b.write(0x84); // :path /
        byte[] authority = "test".getBytes(StandardCharsets.US_ASCII);
        b.write(0x01); // :authority, literal without indexing
        b.write(authority.length);
        b.writeBytes(authority);
        frame(0x1, 0x4 | (endStream ? 0x1 : 0), stream, b.toByteArray());
        return this;
    }

    /** A HEADERS frame with exactly {@code headers} (pseudo-headers included or left out as given). */
    RawH2 headers(int stream, Http2Headers headers, boolean endStream) throws Exception {
        ByteBuf b = Unpooled.buffer();
        try {
            encoder.encodeHeaders(stream, headers, b);
            frame(0x1, 0x4 | (endStream ? 0x1 : 0), stream, ByteBufUtil.getBytes(b));
        } finally {
            b.release();
        }
        return this;
    }

    /** DATA frames carrying {@code bytes} zero bytes on {@code stream}, 16 KiB each at most. */
    RawH2 data(int stream, int bytes, boolean endStream) {
        do {
            int n = Math.min(bytes, 16384);
            bytes -= n;
            frame(0x0, endStream && bytes == 0 ? 0x1 : 0, stream, new byte[n]);
        } while (bytes > 0);
        return this;
    }

    RawH2 reset(int stream) {
        frame(0x3, 0, stream, new byte[] {0, 0, 0, CANCEL});
        return this;
    }

    /** Writes what was queued, in one go. */
    void flush() throws IOException {
        synchronized (pending) {
            out.write(pending.toByteArray());
            pending.reset();
        }
        out.flush();
    }

    private void frame(int type, int flags, int stream, byte[] payload) {
        synchronized (pending) {
            pending.write(payload.length >>> 16);
            pending.write(payload.length >>> 8);
            pending.write(payload.length);
            pending.write(type);
            pending.write(flags);
            pending.write(stream >>> 24);
            pending.write(stream >>> 16);
            pending.write(stream >>> 8);
            pending.write(stream);
            pending.writeBytes(payload);
        }
    }

    private void read() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = in.readNBytes(length);
                switch (type) {
                    case 0x0 -> {
                        received.merge(stream, length, Integer::sum);
                        if ((flags & 0x1) != 0) {
                            ended.add(stream);
                        }
                        if (returnWindow && length > 0) {
                            byte[] inc = {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
                            frame(0x8, 0, 0, inc);
                            frame(0x8, 0, stream, inc);
                            flush();
                        }
                    }
                    case 0x1 -> { // HEADERS (the server sends no padding or priority)
                        if ((flags & 0x1) != 0) {
                            ended.add(stream);
                        }
                        Http2Headers h = decoder.decodeHeaders(stream, Unpooled.wrappedBuffer(payload));
                        if (h.status() != null) {
                            statuses.putIfAbsent(stream, Integer.parseInt(h.status().toString()));
                        }
                    }
                    case 0x3 -> {
                        resets.incrementAndGet();
                        resetCodes.putIfAbsent(stream, ((payload[0] & 0xffL) << 24) | ((payload[1] & 0xff) << 16)
                                | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff));
                    }
                    case 0x4 -> {
                        if ((flags & 0x1) == 0) {
                            frame(0x4, 0x1, 0, new byte[0]); // SETTINGS ACK
                            flush();
                        }
                    }
                    case 0x7 -> goAway.compareAndSet(-1, ((payload[4] & 0xffL) << 24) | ((payload[5] & 0xff) << 16)
                            | ((payload[6] & 0xff) << 8) | (payload[7] & 0xff));
                    default -> {
                    }
                }
            }
        } catch (IOException | io.netty.handler.codec.http2.Http2Exception | RuntimeException e) {
            closedByPeer = true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
