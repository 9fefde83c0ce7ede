package io.switchboard.scheduler;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Helpers for driving schedulers in tests. */
final class Picks {

    private Picks() {
    }

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static PickContext from(String client) {
        return from(client, 40000);
    }

    static PickContext from(String client, int port) {
        return PickContext.of(ip(client), port, ip("127.0.0.10"), 80);
    }

    static PickContext to(String service) {
        return PickContext.of(ip("192.168.1.1"), 40000, ip(service), 80);
    }

    /** Names of {@code n} consecutive picks with the same context. */
    static String sequence(Scheduler<TestDestination> s, int n) {
        PickContext ctx = from("192.168.1.1");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TestDestination d = s.pick(ctx);
            names.add(d == null ? "-" : d.name);
        }
        return String.join(" ", names);
    }
}
