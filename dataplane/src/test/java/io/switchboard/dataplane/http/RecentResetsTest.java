package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The record of streams the proxy reset: which frames it absorbs, and for how long. */
class RecentResetsTest {

    @Test
    void aStreamNeverResetAbsorbsNothing() {
        RecentResets r = new RecentResets();
        assertThat(r.absorb(1)).as("nothing reset yet").isFalse();
        r.add(3);
        assertThat(r.absorb(1)).isFalse();
        assertThat(r.absorb(5)).isFalse();
    }

    @Test
    void aResetStreamAbsorbsItsAllowanceOfFramesThenNoMore() {
        RecentResets r = new RecentResets(8, 3);
        r.add(7);
        assertThat(r.absorb(7)).isTrue();
        assertThat(r.absorb(7)).isTrue();
        assertThat(r.absorb(7)).isTrue();
        assertThat(r.absorb(7)).as("past the allowance").isFalse();
        assertThat(r.absorb(7)).as("and it stays spent").isFalse();
    }

    @Test
    void eachResetStreamHasAnAllowanceOfItsOwn() {
        RecentResets r = new RecentResets(8, 1);
        r.add(1);
        r.add(3);
        assertThat(r.absorb(1)).isTrue();
        assertThat(r.absorb(1)).isFalse();
        assertThat(r.absorb(3)).as("stream 1 spending its allowance leaves stream 3's").isTrue();
    }

    @Test
    void theDefaultAllowanceIsAStreamWindowInSmallFrames() {
        RecentResets r = new RecentResets();
        r.add(1);
        for (int i = 0; i < RecentResets.FRAMES_PER_STREAM; i++) {
            assertThat(r.absorb(1)).isTrue();
        }
        assertThat(r.absorb(1)).isFalse();
    }

    @Test
    void beyondItsCapacityTheOldestResetsAreForgotten() {
        RecentResets r = new RecentResets(4, 10);
        for (int id = 1; id <= 11; id += 2) {
            r.add(id); // 1, 3, 5, 7, 9, 11: 1 and 3 no longer fit
        }
        assertThat(r.absorb(1)).isFalse();
        assertThat(r.absorb(3)).isFalse();
        assertThat(r.absorb(5)).isTrue();
        assertThat(r.absorb(7)).isTrue();
        assertThat(r.absorb(9)).isTrue();
        assertThat(r.absorb(11)).isTrue();
        r.add(13);
        assertThat(r.absorb(5)).as("the oldest goes next").isFalse();
        assertThat(r.absorb(13)).isTrue();
    }

    @Test
    void allTheStreamsAClientMayHaveOpenCanBeResetTogetherAndAllBeRemembered() {
        RecentResets r = new RecentResets();
        int open = HttpFrontend.MAX_CONCURRENT_STREAMS;
        for (int i = 0; i < open; i++) {
            r.add(1 + 2 * i);
        }
        for (int i = 0; i < open; i++) {
            assertThat(r.absorb(1 + 2 * i)).as("stream %d", 1 + 2 * i).isTrue();
        }
        assertThat(RecentResets.CAPACITY).isGreaterThanOrEqualTo(open);
    }

    @Test
    void theLargestStreamIdIsRememberedLikeAnyOther() {
        RecentResets r = new RecentResets(2, 1);
        r.add(Integer.MAX_VALUE);
        assertThat(r.absorb(Integer.MAX_VALUE)).isTrue();
    }

    @Test
    void boundsMustBeUsable() {
        assertThatThrownBy(() -> new RecentResets(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecentResets(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
