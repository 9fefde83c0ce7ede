package io.switchboard.store;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Copy-on-write edits of small immutable sets and maps, for the store's indexes, where nearly every
 * entry holds one element and an immutable set or map of one is a fraction of a {@link HashSet}'s
 * size. An edit that changes nothing returns its input.
 */
final class CopyOnWrite {

    private CopyOnWrite() {
    }

    static <T> Set<T> with(Set<T> set, T element) {
        Set<T> out = new HashSet<>(set);
        out.add(element);
        return Set.copyOf(out);
    }

    static <T> Set<T> without(Set<T> set, T element) {
        if (!set.contains(element)) {
            return set;
        }
        Set<T> out = new HashSet<>(set);
        out.remove(element);
        return Set.copyOf(out);
    }

    static <K, V> Map<K, V> with(Map<K, V> map, K key, V value) {
        if (map.isEmpty()) {
            return Map.of(key, value);
        }
        Map<K, V> out = new HashMap<>(map);
        out.put(key, value);
        return Map.copyOf(out);
    }

    static <K, V> Map<K, V> without(Map<K, V> map, K key) {
        if (!map.containsKey(key)) {
            return map;
        }
        Map<K, V> out = new HashMap<>(map);
        out.remove(key);
        return Map.copyOf(out);
    }
}
