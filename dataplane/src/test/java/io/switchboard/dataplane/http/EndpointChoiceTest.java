package io.switchboard.dataplane.http;

import static io.switchboard.dataplane.http.Pools.backend;
import static io.switchboard.dataplane.http.Pools.http;
import static io.switchboard.dataplane.http.Pools.ip;
import static io.switchboard.dataplane.http.Pools.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.switchboard.affinity.AffinityTable;
import io.switchboard.model.HttpOptions;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.scheduler.Algorithm;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EndpointChoiceTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress(ip("192.0.2.1"), 40000);

    private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1_000));
    private final AffinityTable<Backend> affinity = AffinityTable.create(100);

    private BackendPool pool(int maxRequestsPerEndpoint, String stickyCookie) {
        return Pools.pool(options(Algorithm.RR, http(maxRequestsPerEndpoint, HttpOptions.HashKey.CLIENT_IP,
                stickyCookie)), now::get, "10.0.0.1", "10.0.0.2", "10.0.0.3");
    }

    private static HttpRequest request(String cookie) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        if (cookie != null) {
            req.headers().add("cookie", cookie);
        }
        return req;
    }

    private EndpointChoice choice(BackendPool pool, String cookie) {
        return new EndpointChoice(pool, request(cookie), CLIENT, Pools.VIP, affinity);
    }

    private static List<Backend> drain(EndpointChoice c) {
        List<Backend> out = new ArrayList<>();
        for (Backend b = c.next(); b != null; b = c.next()) {
            out.add(b);
        }
        return out;
    }

    @Test
    void eachTryTakesAnEndpointNotTriedYetUntilNoneIsLeft() {
        EndpointChoice c = choice(pool(0, ""), null);

        List<Backend> tried = drain(c);

        assertThat(tried).hasSize(3).doesNotHaveDuplicates();
        assertThat(c.tries()).isEqualTo(3);
        assertThat(c.next()).isNull();
        assertThat(c.tries()).as("a null pick is not a try").isEqualTo(3);
        assertThat(c.sticky()).as("no sticky cookie configured").isNull();
    }

    @Test
    void firstTriesFollowTheScheduler() {
        BackendPool pool = pool(0, "");
        Set<Backend> first = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            first.add(choice(pool, null).next());
        }
        assertThat(first).as("round robin over three requests").hasSize(3);
    }

    @Test
    void aStickyCookieNamingAnAvailableEndpointSendsEveryRequestBackToIt() {
        BackendPool pool = pool(0, "sb");
        Backend b = backend(pool, "10.0.0.2");
        for (int i = 0; i < 6; i++) {
            EndpointChoice c = choice(pool, "sb=" + StickyChoice.value(b));
            assertThat(c.next()).isSameAs(b);
            assertThat(c.sticky()).as("it keeps the cookie it has").isNull();
        }
    }

    @Test
    void aClientWithoutACookieIsGivenOneForTheEndpointItGot() {
        BackendPool pool = pool(0, "sb");
        EndpointChoice c = choice(pool, null);

        Backend b = c.next();

        assertThat(b).isNotNull();
        assertThat(c.sticky()).isSameAs(b);
        assertThat(choice(pool, "sb=" + StickyChoice.value(c.sticky())).next()).isSameAs(b);
    }

    @Test
    void whenTheStickyEndpointIsHeldDownTheRequestGoesElsewhereWithANewCookie() {
        BackendPool pool = pool(0, "sb");
        Backend b = backend(pool, "10.0.0.2");
        b.connectFailed(TimeUnit.SECONDS.toNanos(1));
        EndpointChoice c = choice(pool, "sb=" + StickyChoice.value(b));

        Backend got = c.next();

        assertThat(got).isNotNull().isNotSameAs(b);
        assertThat(c.sticky()).isSameAs(got);

        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(choice(pool, "sb=" + StickyChoice.value(b)).next()).as("back once available").isSameAs(b);
    }

    @Test
    void aRetryAfterTheStickyEndpointFailedGoesElsewhereAndMovesTheCookie() {
        BackendPool pool = pool(0, "sb");
        Backend b = backend(pool, "10.0.0.2");
        EndpointChoice c = choice(pool, "sb=" + StickyChoice.value(b));

        assertThat(c.next()).isSameAs(b);
        Backend retry = c.next();

        assertThat(retry).isNotNull().isNotSameAs(b);
        assertThat(c.sticky()).isSameAs(retry);
        assertThat(c.tries()).isEqualTo(2);
    }

    @Test
    void anEndpointAtTheRequestLimitIsNotChosenEvenWhenItsCookieNamesIt() {
        BackendPool pool = pool(1, "sb");
        Backend full = backend(pool, "10.0.0.2");
        full.requests().started();

        for (int i = 0; i < 6; i++) {
            assertThat(choice(pool, null).next()).isNotSameAs(full);
        }
        EndpointChoice c = choice(pool, "sb=" + StickyChoice.value(full));
        assertThat(c.next()).isNotNull().isNotSameAs(full);

        full.requests().finished(200, 1_000);
        assertThat(choice(pool, "sb=" + StickyChoice.value(full)).next()).as("free again").isSameAs(full);
    }

    @Test
    void whenEveryEndpointIsAtTheLimitThereIsNoEndpointToTry() {
        BackendPool pool = pool(1, "");
        pool.backends().forEach(b -> b.requests().started());

        EndpointChoice c = choice(pool, null);

        assertThat(c.next()).isNull();
        assertThat(c.tries()).isZero();
    }
}
