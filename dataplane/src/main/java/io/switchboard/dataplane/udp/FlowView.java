package io.switchboard.dataplane.udp;

/**
 * A UDP flow as {@code switchboard conntrack list} shows it, in the spirit of {@code conntrack -L}.
 *
 * @param service          the Service ({@code namespace/name})
 * @param client           client address and port
 * @param serviceAddress   the Service address and port the client used
 * @param endpoint         the endpoint address and port
 * @param ageSeconds       since the flow began
 * @param expiresInSeconds until it times out without traffic
 * @param packetsOriginal  datagrams client to endpoint
 * @param bytesOriginal    bytes client to endpoint
 * @param packetsReply     datagrams endpoint to client
 * @param bytesReply       bytes endpoint to client
 * @param state            {@code UNREPLIED} until the endpoint answers, then {@code ASSURED}
 */
public record FlowView(String service, String client, String serviceAddress, String endpoint, double ageSeconds,
                       double expiresInSeconds, long packetsOriginal, long bytesOriginal, long packetsReply,
                       long bytesReply, String state) {
}
