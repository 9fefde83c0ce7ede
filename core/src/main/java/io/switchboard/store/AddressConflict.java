package io.switchboard.store;

import java.util.Objects;

/**
 * Two Services claim one address, port and protocol (or one node port): the one that keeps it and
 * the one refused, with the field and origin of the refused claim and the rule that decided.
 *
 * @param address the claimed key ({@code IP:port/proto} or {@code nodePort N/proto})
 * @param holder  the Service that serves it
 * @param refused the Service refused it
 * @param field   the refused Service's field that claims it
 * @param origin  where the refused definition came from
 * @param rule    why the holder keeps it ({@link #OLDER} or {@link #NAME_ORDER})
 */
public record AddressConflict(String address, ObjectRef holder, ObjectRef refused, String field, Origin origin,
                              String rule) {

    /** The holder's creationTimestamp is earlier. */
    public static final String OLDER = "created first";
    /** Neither is older (same timestamp, or neither has one): namespace/name order decides. */
    public static final String NAME_ORDER = "first by namespace/name";

    public AddressConflict {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(refused, "refused");
        Objects.requireNonNull(origin, "origin");
    }
}
