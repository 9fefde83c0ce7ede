package io.switchboard.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version recorded at build time. */
public final class Version {

    private Version() {
    }

    /** This build's version, or {@code unknown} when it was not recorded. */
    public static String current() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/switchboard-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
