package io.switchboard.cli;

import picocli.CommandLine.Command;

/** Prints the version. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version.")
final class VersionCommand implements Runnable {

    @Override
    public void run() {
        for (String line : new VersionInfo().getVersion()) {
            System.out.println(line);
        }
    }
}
