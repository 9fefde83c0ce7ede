package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void aFailedConnectMayBeRetriedWhateverTheMethod() {
        assertThat(RetryPolicy.mayRetry(1, 2, HttpMethod.POST, true, true, false)).isTrue();
        assertThat(RetryPolicy.mayRetry(1, 2, HttpMethod.PATCH, true, true, false)).isTrue();
    }

    @Test
    void aTryThatReachedTheEndpointIsRetriedOnlyForIdempotentMethods() {
        for (HttpMethod m : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE,
                HttpMethod.PUT, HttpMethod.DELETE}) {
            assertThat(RetryPolicy.mayRetry(1, 2, m, false, true, false)).as(m.name()).isTrue();
        }
        assertThat(RetryPolicy.mayRetry(1, 2, HttpMethod.POST, false, true, false)).isFalse();
        assertThat(RetryPolicy.mayRetry(1, 2, HttpMethod.PATCH, false, true, false)).isFalse();
        assertThat(RetryPolicy.mayRetry(1, 2, HttpMethod.valueOf("PROPFIND"), false, true, false)).isFalse();
    }

    @Test
    void noRetryOnceTriesAreSpentTheBodyIsGoneOrAResponseBegan() {
        assertThat(RetryPolicy.mayRetry(2, 2, HttpMethod.GET, true, true, false)).as("two retries after one try")
                .isTrue();
        assertThat(RetryPolicy.mayRetry(3, 2, HttpMethod.GET, true, true, false)).as("tries spent").isFalse();
        assertThat(RetryPolicy.mayRetry(1, 0, HttpMethod.GET, true, true, false)).as("retries off").isFalse();
        assertThat(RetryPolicy.mayRetry(1, 2, HttpMethod.GET, true, false, false)).as("body not kept").isFalse();
        assertThat(RetryPolicy.mayRetry(1, 2, HttpMethod.GET, false, true, true)).as("response begun").isFalse();
    }

    @Test
    void withNoEndpointToTryTheAnswerIs503SayingWhetherEachWasAtItsRequestLimit() {
        RetryPolicy.Answer none = RetryPolicy.noEndpointLeft(0, false, false);
        assertThat(none.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(none.text()).isEqualTo("no endpoint available\n");
        RetryPolicy.Answer saturated = RetryPolicy.noEndpointLeft(0, true, false);
        assertThat(saturated.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(saturated.text()).isEqualTo("every endpoint is at its request limit\n");
    }

    @Test
    void runningOutOfEndpointsAfterATimeoutIs504AndAfterAFailure502() {
        assertThat(RetryPolicy.noEndpointLeft(3, false, true)).isSameAs(RetryPolicy.TIMED_OUT);
        assertThat(RetryPolicy.TIMED_OUT.status()).isEqualTo(HttpResponseStatus.GATEWAY_TIMEOUT);
        assertThat(RetryPolicy.noEndpointLeft(3, true, false).status()).isEqualTo(HttpResponseStatus.BAD_GATEWAY);
    }
}
