package io.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CopyOnWriteTest {

    @Test
    void anEditThatChangesNothingReturnsItsInput() {
        Set<String> set = Set.of("a");
        assertThat(CopyOnWrite.without(set, "b")).isSameAs(set);
        Map<String, Integer> map = Map.of("a", 1);
        assertThat(CopyOnWrite.without(map, "b")).isSameAs(map);
    }

    @Test
    void editsMakeImmutableCopiesAndLeaveTheirInputAsItWas() {
        Set<String> set = Set.of("a");
        Set<String> more = CopyOnWrite.with(set, "b");
        assertThat(more).containsExactlyInAnyOrder("a", "b");
        assertThat(CopyOnWrite.without(more, "a")).containsExactly("b");
        assertThat(set).containsExactly("a");
        assertThatThrownBy(() -> more.add("c")).isInstanceOf(UnsupportedOperationException.class);

        Map<String, Integer> map = CopyOnWrite.with(Map.of(), "a", 1);
        Map<String, Integer> replaced = CopyOnWrite.with(map, "a", 2);
        assertThat(replaced).containsExactly(Map.entry("a", 2));
        assertThat(map).containsExactly(Map.entry("a", 1));
        assertThat(CopyOnWrite.without(replaced, "a")).isEmpty();
        assertThatThrownBy(() -> replaced.put("b", 3)).isInstanceOf(UnsupportedOperationException.class);
    }
}
