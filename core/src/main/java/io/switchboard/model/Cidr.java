package io.switchboard.model;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An address block, {@code address/prefix}; the address is kept with its host bits cleared, so
 * {@code 10.96.0.1/12} and {@code 10.96.0.0/12} are the same block.
 *
 * @param address the first address of the block
 * @param prefix  the prefix length, 0 to 32 (IPv4) or 128 (IPv6)
 */
public record Cidr(InetAddress address, int prefix) {

    public Cidr {
        Objects.requireNonNull(address, "address");
        int bits = address.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix length " + prefix + " is out of 0-" + bits);
        }
        address = masked(address, prefix);
    }

    /** The block holding only {@code address} (/32 or /128). */
    public static Cidr host(InetAddress address) {
        return new Cidr(address, address.getAddress().length * 8);
    }

    /** True when {@code a} is of the same family and inside the block. */
    public boolean contains(InetAddress a) {
        return a.getAddress().length == address.getAddress().length && masked(a, prefix).equals(address);
    }

    /** True for an IPv6 block. */
    public boolean ipv6() {
        return address.getAddress().length == 16;
    }

    private static InetAddress masked(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("an address of " + b.length + " bytes", e);
        }
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefix;
    }
}
