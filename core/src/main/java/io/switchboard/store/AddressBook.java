package io.switchboard.store;

import io.switchboard.model.Service;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who serves each address and who wants it. Addresses are the keys of {@link AddressClaims}; a
 * Service holds all of its keys or none. A Service wants the keys of the versions of it that may be
 * put in effect (its valid winner, its version in effect), so the store finds every Service that
 * shares an address with one it decides, directly or through others, and decides them together.
 * Also kept: the address each Service was refused at its last decision. Guarded by the store's lock.
 */
final class AddressBook {

    private final List<InetAddress> nodePortAddresses;
    /** Address keys claimed, and by whom. */
    private final Map<String, ObjectRef> claims = new HashMap<>();
    private final Map<ObjectRef, List<String>> claimsOf = new HashMap<>();
    /** Services whose winning version or version in effect wants each address key, and the keys of each. */
    private final Map<String, Set<ObjectRef>> wanting = new HashMap<>();
    private final Map<ObjectRef, Set<String>> wantsOf = new HashMap<>();
    /** The address a Service was refused at its last decision, by the refused Service. */
    private final Map<ObjectRef, AddressConflict> conflicts = new HashMap<>();
    /** Address claims by Service version (identity), for the length of one checkout. */
    private final Map<Service, Map<String, String>> claimsCache = new IdentityHashMap<>();

    /** Addresses of a proxy serving node ports on {@code nodePortAddresses}. */
    AddressBook(List<InetAddress> nodePortAddresses) {
        this.nodePortAddresses = nodePortAddresses;
    }

    /**
     * The address claims of {@code svc}, key to claiming field, worked out once per checkout: a
     * Service being decided needs them three times (its wants before and after, its claim), and
     * sharing one set of keys keeps one copy of each key string in the indexes.
     */
    Map<String, String> claimsOf(Service svc) {
        return claimsCache.computeIfAbsent(svc, s -> AddressClaims.of(s, nodePortAddresses));
    }

    /** A checkout is over: Service versions are looked up anew in the next. */
    void checkoutDone() {
        claimsCache.clear();
    }

    /** Indexes the addresses {@code ref} wants: those of {@code winner} and {@code inEffect} (either may be null). */
    void want(ObjectRef ref, Definition winner, Definition inEffect) {
        Set<String> keys = new HashSet<>();
        addClaims(keys, winner);
        addClaims(keys, inEffect);
        // Immutable sets, replaced on change: nearly every address has one holder and every Service a
        // few addresses, and a HashSet each was ~25 MB of a 50,000-Service store.
        Set<String> before = keys.isEmpty() ? wantsOf.remove(ref) : wantsOf.put(ref, Set.copyOf(keys));
        if (before != null) {
            for (String k : before) {
                if (!keys.contains(k)) {
                    Set<ObjectRef> holders = CopyOnWrite.without(wanting.get(k), ref);
                    if (holders.isEmpty()) {
                        wanting.remove(k);
                    } else {
                        wanting.put(k, holders);
                    }
                }
            }
        }
        for (String k : keys) {
            Set<ObjectRef> holders = wanting.get(k);
            if (holders == null) {
                wanting.put(k, Set.of(ref));
            } else if (!holders.contains(ref)) {
                wanting.put(k, CopyOnWrite.with(holders, ref));
            }
        }
    }

    private void addClaims(Set<String> keys, Definition d) {
        if (d != null && d.mapped() instanceof Mapped.OfService ms) {
            keys.addAll(claimsOf(ms.service()).keySet());
        }
    }

    /** {@code refs} and every Service that wants one of their addresses, transitively. */
    Set<ObjectRef> sharingAddressesWith(Set<ObjectRef> refs) {
        Set<ObjectRef> group = new HashSet<>(refs);
        ArrayDeque<ObjectRef> todo = new ArrayDeque<>(refs);
        while (!todo.isEmpty()) {
            for (String key : wantsOf.getOrDefault(todo.poll(), Set.of())) {
                for (ObjectRef other : wanting.getOrDefault(key, Set.of())) {
                    if (group.add(other)) {
                        todo.add(other);
                    }
                }
            }
        }
        return group;
    }

    /** The first of {@code wanted} (key to claiming field) that a Service other than {@code ref} holds, or null. */
    Map.Entry<String, String> firstTaken(ObjectRef ref, Map<String, String> wanted) {
        for (var w : wanted.entrySet()) {
            ObjectRef holder = claims.get(w.getKey());
            if (holder != null && !holder.equals(ref)) {
                return w;
            }
        }
        return null;
    }

    /** The Service that holds {@code key}, or null. */
    ObjectRef holder(String key) {
        return claims.get(key);
    }

    /** {@code ref} holds every key of {@code wanted} (none of which another holds). */
    void claimAll(ObjectRef ref, Map<String, String> wanted) {
        wanted.keySet().forEach(k -> claims.put(k, ref));
        claimsOf.put(ref, List.copyOf(wanted.keySet()));
    }

    /** {@code ref} holds no address any more. */
    void release(ObjectRef ref) {
        List<String> held = claimsOf.remove(ref);
        if (held != null) {
            held.forEach(k -> claims.remove(k, ref));
        }
    }

    /** Records why a Service was refused at this decision: the first conflict found stands. */
    void refused(AddressConflict conflict) {
        conflicts.putIfAbsent(conflict.refused(), conflict);
    }

    /** {@code ref} is being decided again: its last refusal no longer stands. */
    void clearRefusal(ObjectRef ref) {
        conflicts.remove(ref);
    }

    /** Every Service refused an address at its last decision, by name. */
    List<AddressConflict> conflicts() {
        return new TreeMap<>(conflicts).values().stream().toList();
    }
}
