package io.switchboard.routing;

import io.switchboard.model.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The clients a load-balancer IP admits, from {@code spec.loadBalancerSourceRanges}, as kube-proxy
 * applies them: only ranges of the address's own family count, and with none of that family every
 * client is admitted. A connection whose source is the load-balancer IP itself comes from this node
 * (the address is local, so the kernel picks it as the source); it is admitted when a range holds
 * one of the node's addresses, as kube-proxy admits its node IP there.
 */
public final class SourceRanges {

    /** Every client admitted. */
    public static final SourceRanges ANY = new SourceRanges(List.of(), false);

    private final byte[][] prefixes;
    private final int[] lengths;
    private final boolean fromNode;

    private SourceRanges(List<Cidr> ranges, boolean fromNode) {
        prefixes = new byte[ranges.size()][];
        lengths = new int[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            prefixes[i] = ranges.get(i).address().getAddress();
            lengths[i] = ranges.get(i).prefix();
        }
        this.fromNode = fromNode;
    }

    /**
     * The ranges that guard {@code address}: those of its family; {@link #ANY} when there are none.
     *
     * @param nodeAddresses this node's own addresses, for the node's connections to the address
     */
    public static SourceRanges of(InetAddress address, Collection<Cidr> ranges, Collection<InetAddress> nodeAddresses) {
        List<Cidr> family = new ArrayList<>();
        int bytes = address.getAddress().length;
        for (Cidr c : ranges) {
            if (c.address().getAddress().length == bytes) {
                family.add(c);
            }
        }
        if (family.isEmpty()) {
            return ANY;
        }
        boolean fromNode = nodeAddresses.stream().anyMatch(n -> family.stream().anyMatch(c -> c.contains(n)));
        return new SourceRanges(family, fromNode);
    }

    /** True unless ranges apply. */
    public boolean open() {
        return prefixes.length == 0;
    }

    /** True when {@code client}, connecting to {@code destination}, may. */
    public boolean admits(InetAddress client, InetAddress destination) {
        if (prefixes.length == 0) {
            return true;
        }
        byte[] c = client.getAddress();
        for (int i = 0; i < prefixes.length; i++) {
            if (matches(prefixes[i], lengths[i], c)) {
                return true;
            }
        }
        return fromNode && client.equals(destination);
    }

    private static boolean matches(byte[] prefix, int length, byte[] a) {
        if (prefix.length != a.length) {
            return false;
        }
        int full = length / 8;
        for (int i = 0; i < full; i++) {
            if (prefix[i] != a[i]) {
                return false;
            }
        }
        int rest = length % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (prefix[full] & mask) == (a[full] & mask);
    }

    @Override
    public String toString() {
        if (prefixes.length == 0) {
            return "any";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < prefixes.length; i++) {
            try {
                b.append(i == 0 ? "" : ",").append(InetAddress.getByAddress(prefixes[i]).getHostAddress())
                        .append('/').append(lengths[i]);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return b.append(fromNode ? "+node" : "").toString();
    }
}
