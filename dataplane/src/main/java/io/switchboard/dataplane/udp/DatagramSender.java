package io.switchboard.dataplane.udp;

import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Sends zero-length datagrams, which Netty's datagram channels silently skip (they treat an empty
 * buffer as nothing to write). UDP allows them and some protocols use them as keep-alives, so they
 * go out through the native socket directly. Epoll only; elsewhere they are counted as dropped.
 */
final class DatagramSender {

    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    private DatagramSender() {
    }

    /** Sends an empty datagram to {@code recipient}, or on the channel's connection when null. */
    static boolean sendEmpty(Channel channel, InetSocketAddress recipient) {
        if (!(channel instanceof UnixChannel unix) || !(unix.fd() instanceof Socket socket)) {
            return false;
        }
        try {
            if (recipient == null) {
                socket.send(EMPTY, 0, 0);
            } else {
                socket.sendTo(EMPTY, 0, 0, recipient.getAddress(), recipient.getPort());
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
