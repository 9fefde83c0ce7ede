package io.switchboard.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Netty's request decoder, refusing obsolete line folding: a header line that starts with a space
 * or tab continues the previous one in old HTTP, and proxies that disagree on it are a classic
 * request-smuggling vector, so RFC 9112 (section 5.2) lets a server reject it, which this does.
 * Netty itself already rejects Content-Length together with Transfer-Encoding, duplicate or invalid
 * lengths and bad chunk sizes.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {

    /** Thrown (through the pipeline) when a request head contains a folded line. */
    static final class ObsoleteLineFoldingException extends CorruptedFrameException {
        ObsoleteLineFoldingException() {
            super("obsolete line folding in request headers");
        }
    }

    /** Thrown for a well-formed version this proxy does not speak (HTTP/2.0 and up on an HTTP/1 connection). */
    static final class UnsupportedVersionException extends IllegalArgumentException {
        UnsupportedVersionException(String version) {
            super("HTTP version " + version + " is not supported");
        }
    }

    private static final java.util.regex.Pattern VERSION = java.util.regex.Pattern.compile("HTTP/([0-9])\\.([0-9])");

    private static final String ROOT = "/";

    private boolean inHead = true;
    private boolean headStarted;

    StrictRequestDecoder(int maxInitialLineLength, int maxHeaderSize) {
        super(new HttpDecoderConfig().setMaxInitialLineLength(maxInitialLineLength).setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(65536).setTrailersFactory(SmallTrailers.INSTANCE)
                .setHeadersFactory(KnownHeaderNames.DECODED_HEADERS));
    }

    /**
     * The version as RFC 9112 section 2.3 has it: {@code HTTP} (case-sensitive), a slash, one digit,
     * a dot, one digit. Netty would upper-case the name and take any digits; here a bad version is a
     * 400, another major version a 505, and a higher 1.x minor is served as 1.1 (RFC 9110 section 2.5).
     */
    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
        if (initialLine[2].equals("HTTP/1.1") || initialLine[2].equals("HTTP/1.0")) {
            // Nearly every request: valid as it is, without the regular expression.
            return super.createMessage(initialLine);
        }
        java.util.regex.Matcher m = VERSION.matcher(initialLine[2]);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid HTTP version \"" + initialLine[2] + "\"");
        }
        if (!m.group(1).equals("1")) {
            throw new UnsupportedVersionException(initialLine[2]);
        }
        if (!m.group(2).equals("0") && !m.group(2).equals("1")) {
            initialLine[2] = "HTTP/1.1";
        }
        return super.createMessage(initialLine);
    }

    /** A common header name as one shared instance ({@link KnownHeaderNames}), others as Netty makes them. */
    @Override
    protected AsciiString splitHeaderName(byte[] b, int start, int length) {
        AsciiString known = KnownHeaderNames.find(b, start, length);
        return known != null ? known : KnownHeaderNames.checked(super.splitHeaderName(b, start, length));
    }

    /** The root path, the target of many requests, as one shared string. */
    @Override
    protected String splitSecondWordInitialLine(byte[] b, int start, int length) {
        return length == 1 && b[start] == '/' ? ROOT : super.splitSecondWordInitialLine(b, start, length);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (inHead && foldedLine(buffer)) {
            buffer.skipBytes(buffer.readableBytes());
            throw new ObsoleteLineFoldingException();
        }
        int before = buffer.readerIndex();
        int produced = out.size();
        super.decode(ctx, buffer, out);
        for (int i = produced; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof HttpMessage) {
                inHead = false;
                headStarted = false;
            }
            if (o instanceof LastHttpContent) {
                inHead = true;
            }
        }
        if (inHead && buffer.readerIndex() > before && out.size() == produced) {
            headStarted = true;
        }
    }

    /**
     * Scans the head bytes not yet consumed for a line starting with a space or tab. The decoder
     * consumes whole lines, so the buffer always starts at a line; the first line of a head is the
     * request line (leading empty lines are allowed and skipped), which cannot be a continuation.
     */
    private boolean foldedLine(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        if (!headStarted) {
            while (i < end && (buf.getByte(i) == '\r' || buf.getByte(i) == '\n')) {
                i++;
            }
            // Past the request line: it cannot be a continuation.
            i = nextLine(buf, i, end);
        }
        // Line to line by Netty's indexOf (which scans words, not bytes): only line starts matter.
        while (i >= 0 && i < end) {
            byte b = buf.getByte(i);
            if (b == '\r' || b == '\n') {
                return false;
            }
            if (b == ' ' || b == '\t') {
                return true;
            }
            i = nextLine(buf, i, end);
        }
        return false;
    }

    /** The index after the next line feed from {@code from}, or -1 when the line is not complete. */
    private static int nextLine(ByteBuf buf, int from, int end) {
        int lf = buf.indexOf(from, end, (byte) '\n');
        return lf < 0 ? -1 : lf + 1;
    }
}
