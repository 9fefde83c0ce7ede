package io.switchboard.scheduler;

import java.net.InetAddress;

/** Delegates to a {@link TestDestination}, so tests can override request-level figures. */
class TestDestinationView implements Destination {

    final TestDestination d;

    TestDestinationView(TestDestination d) {
        this.d = d;
    }

    @Override
    public InetAddress address() {
        return d.address();
    }

    @Override
    public int port() {
        return d.port();
    }

    @Override
    public int weight() {
        return d.weight();
    }

    @Override
    public int activeConnections() {
        return d.activeConnections();
    }

    @Override
    public int inactiveConnections() {
        return d.inactiveConnections();
    }

    @Override
    public boolean isAvailable() {
        return d.isAvailable();
    }

    @Override
    public String toString() {
        return d.toString();
    }
}
