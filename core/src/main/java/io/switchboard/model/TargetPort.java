package io.switchboard.model;

/**
 * A Service port's {@code targetPort}: either a number or the name of a container port, which
 * EndpointSlices resolve to a number.
 */
public record TargetPort(int number, String name) {

    public TargetPort {
        if ((name == null) == (number == 0)) {
            throw new IllegalArgumentException("a target port is either a number or a name");
        }
    }

    /** A numeric target port. */
    public static TargetPort of(int number) {
        return new TargetPort(number, null);
    }

    /** A named target port. */
    public static TargetPort named(String name) {
        return new TargetPort(0, name);
    }

    /** True when this target port is a name that must be resolved through endpoint ports. */
    public boolean isNamed() {
        return name != null;
    }

    @Override
    public String toString() {
        return isNamed() ? name : Integer.toString(number);
    }
}
