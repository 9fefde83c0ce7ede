package io.switchboard.dataplane.http;

import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * Header names as clients and endpoints commonly spell them, each one shared instance, so that a
 * decoder can hand over the name it just read without making a string (and its bytes) for it: the
 * decoders of this package make no new name for a header in this list. The match is exact, case
 * included: a name in another case is read as sent and forwarded as sent.
 *
 * <p>A shared name is a valid one, so the decoders' headers ({@link #DECODED_HEADERS}) do not check
 * names as they are added: a decoder checks each name it reads that is not shared ({@link #checked}),
 * once, and the check's error fails the message as Netty's own would (a 400 for a request).
 */
final class KnownHeaderNames {

    private static final String[] NAMES = {
            // Requests (browsers, curl, gRPC and HTTP client libraries) and forwarding.
            "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Connection", "Cookie",
            "Authorization", "Referer", "Origin", "Content-Type", "Content-Length", "Transfer-Encoding",
            "Cache-Control", "Pragma", "If-None-Match", "If-Modified-Since", "Upgrade", "TE", "Expect", "Range",
            "Upgrade-Insecure-Requests", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
            "X-Request-Id", "X-Real-IP", "Forwarded", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site",
            "Sec-Fetch-User", "Priority", "DNT",
            // Responses (nginx, Apache, Go, Node, Java servers).
            "Server", "Date", "Keep-Alive", "Last-Modified", "ETag", "Accept-Ranges", "Vary", "Set-Cookie",
            "Expires", "Location", "Content-Encoding", "Content-Language", "Content-Disposition", "Age",
            "Access-Control-Allow-Origin", "Strict-Transport-Security", "X-Content-Type-Options",
            "X-Frame-Options", "Retry-After", "WWW-Authenticate", "Trailer", "X-Powered-By",
            // Lower-case spellings some servers and libraries send.
            "host", "user-agent", "accept", "accept-encoding", "content-type", "content-length", "connection",
            "date", "server", "transfer-encoding", "cache-control", "vary", "etag", "keep-alive",
            "grpc-status", "grpc-message", "grpc-encoding", "grpc-accept-encoding", "grpc-timeout"};

    /** Headers as Netty makes them for a decoder (values checked as they are added), names unchecked. */
    static final HttpHeadersFactory DECODED_HEADERS = DefaultHttpHeadersFactory.headersFactory().withNameValidation(false);

    private static final DefaultHeaders.NameValidator<CharSequence> NAME_CHECK =
            DefaultHttpHeadersFactory.headersFactory().getNameValidator();

    /** The names by length, then in list order: a lookup compares only names as long as the one read. */
    private static final AsciiString[][] BY_LENGTH = byLength();

    private KnownHeaderNames() {
    }

    /** The shared name equal to {@code length} bytes of {@code b} from {@code start}, or null when none is. */
    static AsciiString find(byte[] b, int start, int length) {
        if (length >= BY_LENGTH.length) {
            return null;
        }
        AsciiString[] candidates = BY_LENGTH[length];
        if (candidates == null) {
            return null;
        }
        for (AsciiString name : candidates) {
            if (equal(name, b, start, length)) {
                return name;
            }
        }
        return null;
    }

    /** {@code name}, after Netty's check of a header name (a token: RFC 9110 section 5.1). */
    static AsciiString checked(AsciiString name) {
        NAME_CHECK.validateName(name);
        return name;
    }

    private static boolean equal(AsciiString name, byte[] b, int start, int length) {
        byte[] n = name.array();
        int off = name.arrayOffset();
        for (int i = length - 1; i >= 0; i--) {
            // From the end: names of one length tend to share their start (Accept-, Content-, Sec-Fetch-).
            if (n[off + i] != b[start + i]) {
                return false;
            }
        }
        return true;
    }

    private static AsciiString[][] byLength() {
        int longest = 0;
        for (String n : NAMES) {
            longest = Math.max(longest, n.length());
        }
        List<List<AsciiString>> lists = new ArrayList<>();
        for (int i = 0; i <= longest; i++) {
            lists.add(new ArrayList<>());
        }
        for (String n : NAMES) {
            lists.get(n.length()).add(AsciiString.cached(n));
        }
        AsciiString[][] table = new AsciiString[longest + 1][];
        for (int i = 0; i <= longest; i++) {
            table[i] = lists.get(i).isEmpty() ? null : lists.get(i).toArray(new AsciiString[0]);
        }
        return table;
    }
}
