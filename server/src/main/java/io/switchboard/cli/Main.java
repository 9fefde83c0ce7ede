package io.switchboard.cli;

import picocli.CommandLine;

/** The {@code switchboard} command line. */
public final class Main {

    private Main() {
    }

    /** Runs a command and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, for tests that run commands in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new SwitchboardCommand());
    }
}
