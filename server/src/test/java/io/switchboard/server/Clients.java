package io.switchboard.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Client-side helpers: one short TCP connection asking a demo backend its name, and admin requests. */
public final class Clients {

    private Clients() {
    }

    /** Opens a connection (from {@code source} when not null), says hello, returns the first line. */
    public static String name(String source, String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            if (source != null) {
                s.bind(new InetSocketAddress(source, 0));
            }
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    public static String name(String host, int port) throws IOException {
        return name(null, host, port);
    }

    /** GETs an admin path, returning status and body. */
    public static HttpResponse<String> admin(Switchboard sb, String path) throws IOException, InterruptedException {
        InetSocketAddress a = sb.adminAddress();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + a.getHostString() + ":" + a.getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The value of one sample in a Prometheus text exposition: the line starting with
     * {@code series} (name and labels as exposed, labels in alphabetical order), or NaN when absent.
     */
    public static double metric(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        return Double.NaN;
    }
}
