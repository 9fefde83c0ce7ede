package io.switchboard.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How {@code --transport} becomes the transports of TCP and of UDP. */
class TransportsTest {

    @Test
    void autoRunsTcpOnIoUringElseEpollElseNioAndUdpOnEpollWhereThereIsOne() {
        Transport stream = Transport.IO_URING.unavailabilityCause() == null ? Transport.IO_URING
                : Transport.EPOLL.unavailabilityCause() == null ? Transport.EPOLL : Transport.NIO;
        Transport datagram = Transport.EPOLL.unavailabilityCause() == null ? Transport.EPOLL : stream;
        assertThat(Transports.select("auto")).isEqualTo(new Transports(stream, datagram));
        assertThat(Transports.select(" Auto ")).isEqualTo(Transports.auto());
        assertThat(Transport.best()).isEqualTo(stream);
        assertThat(Transport.bestForDatagrams()).isEqualTo(datagram);
    }

    @Test
    void aTransportNamedRunsBothTcpAndUdp() {
        assertThat(Transports.select("nio")).isEqualTo(new Transports(Transport.NIO, Transport.NIO));
        assertThat(Transports.select("nio").split()).isFalse();
    }

    @Test
    void transportsThatDisagreeOnSharingAPortAreRefused() {
        assertThatThrownBy(() -> new Transports(Transport.EPOLL, Transport.NIO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SO_REUSEPORT");
    }

    @Test
    void anUnknownChoiceIsRefusedNamingTheChoices() {
        assertThatThrownBy(() -> Transports.select("dpdk")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown transport 'dpdk': expected auto, io_uring, epoll or nio");
    }
}
