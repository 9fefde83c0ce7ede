package io.switchboard.cli;

import io.switchboard.server.Version;
import picocli.CommandLine;

/** The version recorded at build time, for {@code --version}. */
final class VersionInfo implements CommandLine.IVersionProvider {

    static String version() {
        return Version.current();
    }

    @Override
    public String[] getVersion() {
        return new String[] {"switchboard " + version(), "java " + System.getProperty("java.version")};
    }
}
