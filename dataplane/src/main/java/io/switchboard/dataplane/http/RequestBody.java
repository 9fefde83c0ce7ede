package io.switchboard.dataplane.http;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body on its way through: parts held while no endpoint is attached, sent when one is,
 * and kept (as retained duplicates) for a replay on another endpoint until the body outgrows
 * {@link #REPLAY_LIMIT} or a response begins. Owns the reference counts of what it holds.
 */
final class RequestBody {

    /** Bytes of request body kept for a retry; a longer body streams once and is not retried. */
    static final int REPLAY_LIMIT = 64 * 1024;
    /** Body bytes held while no endpoint is attached, before the client stops being read. */
    static final int PENDING_LIMIT = REPLAY_LIMIT;

    private final List<HttpContent> parts = new ArrayList<>();
    private long bytes;
    private boolean replayable = true;
    private boolean complete;

    /** The request has no (more) body: nothing will follow the head. */
    void markComplete() {
        complete = true;
    }

    /** Whether the whole body (its last part) has arrived. */
    boolean complete() {
        return complete;
    }

    /** Body bytes received so far. */
    long bytes() {
        return bytes;
    }

    /** Whether everything sent so far can be sent again to another endpoint. */
    boolean replayable() {
        return replayable && (complete || bytes < REPLAY_LIMIT);
    }

    /**
     * Whether {@code c} is the empty last part a decoder emits after a request already complete
     * (one without a body): it is not part of the body.
     */
    boolean isRedundantLast(HttpContent c) {
        return complete && c instanceof LastHttpContent l && !l.content().isReadable() && l.trailingHeaders().isEmpty();
    }

    /**
     * A part arrived while no endpoint is attached: held until one is. Returns true when the held
     * bytes passed {@link #PENDING_LIMIT}, so the client should not be read further for now.
     */
    boolean hold(HttpContent c) {
        arrived(c);
        parts.add(c);
        return bytes > PENDING_LIMIT;
    }

    /**
     * A part arrived while an endpoint is attached, and is about to be written to it: a duplicate is
     * kept for a replay while the body still fits and no response has begun.
     */
    void passing(HttpContent c, boolean responseStarted) {
        arrived(c);
        if (replayable && bytes <= REPLAY_LIMIT && !responseStarted) {
            parts.add(c.retainedDuplicate());
        } else {
            dropReplay();
        }
    }

    private void arrived(HttpContent c) {
        if (c instanceof LastHttpContent) {
            complete = true;
        }
        bytes += c.content().readableBytes();
    }

    /** Whether any body part, including a last one, has arrived. */
    boolean hasLast() {
        return !parts.isEmpty() && parts.get(parts.size() - 1) instanceof LastHttpContent;
    }

    /**
     * The whole body as one last part to send with the head, when it is complete and arrived in at
     * most one part without trailers (always so for a request without body); null otherwise, and
     * then {@link #sendTo} sends it. What is returned passes as {@link #sendTo} would pass it: a
     * retained duplicate while the body is kept for a replay.
     */
    LastHttpContent takeWhole() {
        if (!complete || parts.size() > 1) {
            return null;
        }
        if (parts.isEmpty()) {
            return LastHttpContent.EMPTY_LAST_CONTENT;
        }
        if (!(parts.get(0) instanceof LastHttpContent last) || !last.trailingHeaders().isEmpty()) {
            return null;
        }
        if (replayable) {
            return last.retainedDuplicate();
        }
        parts.clear();
        return last;
    }

    /**
     * Writes what arrived so far to a newly attached endpoint, then its end if the body is complete.
     * Kept parts stay for a replay when the body is replayable; otherwise they pass for good.
     */
    void sendTo(UpstreamStream s) {
        boolean ended = hasLast();
        if (parts.isEmpty()) {
            if (complete) {
                s.write(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            return;
        }
        List<HttpContent> out = new ArrayList<>(parts);
        if (!replayable) {
            parts.clear();
        }
        for (HttpContent c : out) {
            s.write(replayable ? c.retainedDuplicate() : c);
        }
        if (complete && !ended) {
            s.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /** No replay is possible any more (a response began, or the body outgrew the limit): frees the copies. */
    void dropReplay() {
        if (replayable) {
            replayable = false;
            release();
        }
    }

    /** Frees every part held. */
    void release() {
        for (HttpContent c : parts) {
            ReferenceCountUtil.release(c);
        }
        parts.clear();
    }
}
