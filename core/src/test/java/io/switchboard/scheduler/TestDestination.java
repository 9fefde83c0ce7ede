package io.switchboard.scheduler;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A destination whose counts and health a test sets directly. */
final class TestDestination implements Destination {

    final String name;
    final InetAddress address;
    final int port;
    int weight;
    int active;
    int inactive;
    boolean available = true;

    TestDestination(String name, String address, int weight) {
        this.name = name;
        try {
            this.address = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
        this.port = 8080;
        this.weight = weight;
    }

    static TestDestination of(String name, int weight) {
        return new TestDestination(name, "10.0.0." + (name.charAt(0) - 'A' + 1), weight);
    }

    TestDestination active(int n) {
        this.active = n;
        return this;
    }

    TestDestination inactive(int n) {
        this.inactive = n;
        return this;
    }

    TestDestination down() {
        this.available = false;
        return this;
    }

    @Override
    public InetAddress address() {
        return address;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public int activeConnections() {
        return active;
    }

    @Override
    public int inactiveConnections() {
        return inactive;
    }

    @Override
    public boolean isAvailable() {
        return available;
    }

    @Override
    public String toString() {
        return name;
    }
}
