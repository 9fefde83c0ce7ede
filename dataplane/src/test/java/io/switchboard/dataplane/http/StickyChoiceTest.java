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
import io.netty.handler.codec.http.cookie.Cookie;
import io.switchboard.affinity.AffinityTable;
import io.switchboard.model.HttpOptions;
import io.switchboard.model.HttpOptions.HashKey;
import io.switchboard.model.Protocol;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.routing.VirtualAddress;
import io.switchboard.scheduler.Algorithm;
import io.switchboard.scheduler.PickContext;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StickyChoiceTest {

    private static final HashKey USER_HEADER = new HashKey(HashKey.Source.HEADER, "x-user");
    private static final HashKey SESSION_COOKIE = new HashKey(HashKey.Source.COOKIE, "session");
    private static final PickContext BASE = PickContext.of(ip("192.0.2.1"), 40000, Pools.VIP.address(), Pools.PORT);

    private static HttpRequest request(String... headerPairs) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        for (int i = 0; i < headerPairs.length; i += 2) {
            req.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return req;
    }

    private static BackendPool pool(String... ips) {
        return Pools.pool(options(Algorithm.RR, HttpOptions.DEFAULT), System::nanoTime, ips);
    }

    @Test
    void theHashIsFnv1a64SoEveryProxyAndVersionMapsAKeyAlike() {
        // Published FNV-1a 64-bit test vectors.
        assertThat(StickyChoice.hash("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(StickyChoice.hash("a")).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(StickyChoice.hash("foobar")).isEqualTo(0x85944171f73967e8L);
    }

    @Test
    void theCookieValueIsAnOpaqueStableHashOfTheEndpointAddress() {
        BackendPool pool = pool("10.0.0.1", "10.0.0.2");
        Backend v4 = backend(pool, "10.0.0.1");
        BackendPool v6 = Pools.pool(new VirtualAddress(ip("fd00:96::20"), Pools.PORT, Protocol.TCP),
                options(Algorithm.RR, HttpOptions.DEFAULT), System::nanoTime, "fd00::1");

        assertThat(StickyChoice.value(v4)).isEqualTo(Long.toHexString(StickyChoice.hash("10.0.0.1:8080")))
                .doesNotContain("10.0.0.1");
        assertThat(StickyChoice.value(v4)).isNotEqualTo(StickyChoice.value(backend(pool, "10.0.0.2")));
        // IPv6 endpoints hash their full form without brackets, as before HostPort: cookies survive upgrades.
        assertThat(StickyChoice.value(backend(v6, "fd00::1")))
                .isEqualTo(Long.toHexString(StickyChoice.hash("fd00:0:0:0:0:0:0:1:8080")));
    }

    @Test
    void theStickyCookieIsASiteWideHttpOnlySessionCookie() {
        Backend b = backend(pool("10.0.0.1"), "10.0.0.1");

        Cookie c = StickyChoice.cookieFor("sb", b);

        assertThat(c.name()).isEqualTo("sb");
        assertThat(c.value()).isEqualTo(StickyChoice.value(b));
        assertThat(c.path()).isEqualTo("/");
        assertThat(c.isHttpOnly()).isTrue();
        assertThat(c.maxAge()).as("no Max-Age: a session cookie").isEqualTo(Cookie.UNDEFINED_MAX_AGE);
    }

    @Test
    void theCookieOfAnEndpointInThePoolNamesThatEndpoint() {
        BackendPool pool = pool("10.0.0.1", "10.0.0.2", "10.0.0.3");
        Backend b = backend(pool, "10.0.0.2");

        assertThat(StickyChoice.preferred(request("cookie", "sb=" + StickyChoice.value(b)), "sb", pool)).isSameAs(b);
        assertThat(StickyChoice.preferred(request("cookie", "theme=dark; sb=" + StickyChoice.value(b) + "; x=1"),
                "sb", pool)).as("among other cookies").isSameAs(b);
        assertThat(StickyChoice.preferred(request("cookie", "theme=dark", "cookie", "sb=" + StickyChoice.value(b)),
                "sb", pool)).as("in a second Cookie header").isSameAs(b);
    }

    @Test
    void noEndpointIsPreferredWithoutAStickyCookieOrForAValueNoEndpointHas() {
        BackendPool pool = pool("10.0.0.1", "10.0.0.2");
        String v = StickyChoice.value(backend(pool, "10.0.0.1"));

        assertThat(StickyChoice.preferred(request("cookie", "sb=" + v), "", pool)).as("Service has none").isNull();
        assertThat(StickyChoice.preferred(request(), "sb", pool)).as("request has none").isNull();
        assertThat(StickyChoice.preferred(request("cookie", "other=" + v), "sb", pool)).isNull();
        assertThat(StickyChoice.preferred(request("cookie", "sb=deadbeef"), "sb", pool)).as("endpoint gone").isNull();
        assertThat(StickyChoice.preferred(request("cookie", "sb=" + v), "sb", pool("10.0.0.2", "10.0.0.3")))
                .as("another pool").isNull();
    }

    @Test
    void aHeaderOrCookieHashKeyIsHashedIntoThePickAndAMissingOneLeavesItAsItWas() {
        PickContext byHeader = StickyChoice.withHashKey(BASE, request("X-User", "alice"), USER_HEADER);
        assertThat(byHeader.hashed()).isTrue();
        assertThat(byHeader.hashKey()).isEqualTo(StickyChoice.hash("alice"));

        PickContext byCookie = StickyChoice.withHashKey(BASE, request("cookie", "a=1; session=s-42"), SESSION_COOKIE);
        assertThat(byCookie.hashed()).isTrue();
        assertThat(byCookie.hashKey()).isEqualTo(StickyChoice.hash("s-42"));

        assertThat(StickyChoice.withHashKey(BASE, request(), USER_HEADER)).isSameAs(BASE);
        assertThat(StickyChoice.withHashKey(BASE, request("cookie", "a=1"), SESSION_COOKIE)).isSameAs(BASE);
        assertThat(StickyChoice.withHashKey(BASE, request("X-User", "alice"), HashKey.CLIENT_IP)).isSameAs(BASE);
    }

    @Test
    void withMaglevRequestsWithOneKeyReachOneEndpointFromAnyClient() {
        BackendPool pool = Pools.pool(options(Algorithm.MH, http(0, USER_HEADER, "")), System::nanoTime,
                "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4");
        AffinityTable<Backend> affinity = AffinityTable.create(100);
        Set<Backend> forAlice = new HashSet<>();
        Set<Backend> forAnyone = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            PickContext client = PickContext.of(ip("192.0.2." + (i + 1)), 40000 + i, Pools.VIP.address(), Pools.PORT);
            forAlice.add(pool.choose(StickyChoice.withHashKey(client, request("X-User", "alice"), USER_HEADER),
                    affinity));
            forAnyone.add(pool.choose(StickyChoice.withHashKey(client, request("X-User", "user-" + i), USER_HEADER),
                    affinity));
        }
        assertThat(forAlice).hasSize(1);
        assertThat(forAnyone).as("other keys spread").hasSizeGreaterThan(1);
    }
}
