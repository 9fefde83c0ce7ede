package io.switchboard.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
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

    private boolean inHead = true;
    private boolean headStarted;

    StrictRequestDecoder(int maxInitialLineLength, int maxHeaderSize) {
        super(new HttpDecoderConfig().setMaxInitialLineLength(maxInitialLineLength).setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(65536));
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
        boolean first = !headStarted;
        if (first) {
            while (i < end && (buf.getByte(i) == '\r' || buf.getByte(i) == '\n')) {
                i++;
            }
        }
        boolean lineStart = true;
        while (i < end) {
            byte b = buf.getByte(i);
            if (lineStart) {
                if (b == '\r' || b == '\n') {
                    return false;
                }
                if ((b == ' ' || b == '\t') && !first) {
                    return true;
                }
                lineStart = false;
            }
            if (b == '\n') {
                lineStart = true;
                first = false;
            }
            i++;
        }
        return false;
    }
}
