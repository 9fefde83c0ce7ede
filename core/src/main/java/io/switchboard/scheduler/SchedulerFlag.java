package io.switchboard.scheduler;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * IPVS scheduler flags ({@code ipvsadm -b}): the hashing schedulers can fall back to another
 * destination when theirs is unavailable, and can hash the source port along with the address.
 */
public enum SchedulerFlag {
    /** sh: when the hashed destination is unavailable, walk the table for another. */
    SH_FALLBACK("sh-fallback"),
    /** sh: hash the client port too. */
    SH_PORT("sh-port"),
    /** mh: when the hashed destination is unavailable, walk the table for another. */
    MH_FALLBACK("mh-fallback"),
    /** mh: hash the client port too. */
    MH_PORT("mh-port");

    private final String id;

    SchedulerFlag(String id) {
        this.id = id;
    }

    /** The name used by ipvsadm and in the annotation. */
    public String id() {
        return id;
    }

    /** The flag with this name, or an exception listing the valid names. */
    public static SchedulerFlag fromId(String id) {
        for (SchedulerFlag f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown scheduler flag \"" + id + "\"; expected one of "
                + Arrays.stream(values()).map(SchedulerFlag::id).collect(Collectors.joining(", ")));
    }
}
