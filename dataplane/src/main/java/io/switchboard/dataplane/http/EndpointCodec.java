package io.switchboard.dataplane.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of a connection to an endpoint: Netty's request encoder and response decoder,
 * as in its {@code HttpClientCodec} (a response to HEAD has no body whatever its headers say), with a
 * decoder that makes no new strings for what nearly every response repeats: the version, a status
 * code and its standard reason phrase, and the common header names ({@link KnownHeaderNames}).
 * Endpoints answer every request with these, so each would otherwise be a string and its bytes per
 * response.
 */
final class EndpointCodec extends CombinedChannelDuplexHandler<EndpointCodec.ResponseDecoder, EndpointCodec.RequestEncoder> {

    private static final String HTTP_1_1 = HttpVersion.HTTP_1_1.text();
    private static final String HTTP_1_0 = HttpVersion.HTTP_1_0.text();
    /** Status codes 100-999 as text, made once. */
    private static final String[] CODES = new String[900];
    /** The standard reason phrase of each code that has one (a status constant), else null. */
    private static final String[] REASONS = new String[900];

    static {
        for (int i = 0; i < CODES.length; i++) {
            CODES[i] = Integer.toString(i + 100);
            HttpResponseStatus status = HttpResponseStatus.valueOf(i + 100);
            // A code without a constant gets a new status object on every call.
            REASONS[i] = status == HttpResponseStatus.valueOf(i + 100) ? status.reasonPhrase() : null;
        }
    }

    /** The methods of the requests sent and not yet answered, oldest first. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    EndpointCodec(HttpDecoderConfig config) {
        init(new ResponseDecoder(config), new RequestEncoder());
    }

    /** Notes each request's method on its way out, for the framing of its response. */
    final class RequestEncoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest req) {
                methods.offer(req.method());
            }
            super.encode(ctx, msg, out);
        }
    }

    /** Decodes responses, sharing the strings and names responses repeat. */
    final class ResponseDecoder extends HttpResponseDecoder {
        /** The status code of the status line being split, for its reason phrase. */
        private int code;

        ResponseDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected String splitFirstWordInitialLine(byte[] b, int start, int length) {
            if (matches(HTTP_1_1, b, start, length)) {
                return HTTP_1_1;
            }
            if (matches(HTTP_1_0, b, start, length)) {
                return HTTP_1_0;
            }
            return super.splitFirstWordInitialLine(b, start, length);
        }

        /**
         * The status code: exactly three digits (RFC 9110 section 15), where Netty's own parsing would
         * take {@code +200} or {@code 0200} as 200. Another code is a malformed response.
         */
        @Override
        protected String splitSecondWordInitialLine(byte[] b, int start, int length) {
            code = 0;
            if (length != 3 || !digit(b[start]) || !digit(b[start + 1]) || !digit(b[start + 2])) {
                throw new IllegalArgumentException("status code \"" + super.splitSecondWordInitialLine(b, start, length)
                        + "\" is not three digits");
            }
            if (b[start] == '0') {
                // Three digits, but below 100: no code of any class; the endpoint handler refuses it.
                return super.splitSecondWordInitialLine(b, start, length);
            }
            code = (b[start] - '0') * 100 + (b[start + 1] - '0') * 10 + (b[start + 2] - '0');
            return CODES[code - 100];
        }

        @Override
        protected String splitThirdWordInitialLine(byte[] b, int start, int length) {
            String standard = code == 0 ? null : REASONS[code - 100];
            if (standard != null && matches(standard, b, start, length)) {
                // The same instance the status constant holds, which the decoder then uses as it is.
                return standard;
            }
            return super.splitThirdWordInitialLine(b, start, length);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] b, int start, int length) {
            AsciiString known = KnownHeaderNames.find(b, start, length);
            return known != null ? known : KnownHeaderNames.checked(super.splitHeaderName(b, start, length));
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            HttpResponseStatus status = ((HttpResponse) msg).status();
            if (status.codeClass() == HttpStatusClass.INFORMATIONAL) {
                // An interim response answers no request by itself: the final one follows.
                return super.isContentAlwaysEmpty(msg);
            }
            HttpMethod method = methods.poll();
            // CONNECT never reaches an endpoint (the exchange answers it), so HEAD is the one method to know.
            if (HttpMethod.HEAD.equals(method)) {
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean matches(String s, byte[] b, int start, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != b[start + i]) {
                return false;
            }
        }
        return true;
    }
}
