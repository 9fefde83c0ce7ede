package io.switchboard.dataplane.udp;

import io.switchboard.routing.VirtualAddress;
import java.net.InetSocketAddress;

/** A UDP flow's identity: the client's address and port, and the Service address it sent to. */
record FlowKey(InetSocketAddress client, VirtualAddress service) {
}
