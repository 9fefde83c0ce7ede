package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestHeadRulesTest {

    private static final List<String> HOSTS = List.of("svc", "svc.ns.svc.cluster.local", "10.0.0.1", "10.0.0.1:8080",
            "a-b.example:80", "host:", "host:65535", "host:123456", "[::1]", "[::1]:80", "ex%41mple", "a_b", "a b",
            ":80", "", "host:8a", "h\u00e9", "xn--bcher-kva.example", "host:80:81", "h;o", "-lead.example");

    @Test
    void theFastHostCheckAcceptsOnlyWhatTheGrammarAccepts() {
        for (String h : HOSTS) {
            if (RequestHeadRules.plainHost(h)) {
                assertThat(RequestHeadRules.validHostByGrammar(h)).as(h).isTrue();
            }
        }
    }

    @Test
    void theFastHostCheckTakesTheCommonForms() {
        assertThat(RequestHeadRules.plainHost("svc.ns.svc.cluster.local")).isTrue();
        assertThat(RequestHeadRules.plainHost("10.0.0.1:8080")).isTrue();
        assertThat(RequestHeadRules.plainHost("host:")).isTrue();
        assertThat(RequestHeadRules.plainHost("host:123456")).isFalse();
        assertThat(RequestHeadRules.plainHost(":80")).isFalse();
        assertThat(RequestHeadRules.plainHost("[::1]:80")).as("left to the grammar").isFalse();
        assertThat(RequestHeadRules.validHostByGrammar("[::1]:80")).isTrue();
        assertThat(RequestHeadRules.validHostByGrammar("a b")).isFalse();
    }
}
