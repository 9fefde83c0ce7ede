package io.switchboard.cli;

import picocli.CommandLine;

/** The {@code switchboard} command line. */
public final class Main {

    private Main() {
    }

    /** Runs a command and exits with its status. */
    public static void main(String[] args) {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Leak tracking samples buffers with stack traces; tests keep it on, production runs without.
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        System.exit(commandLine().execute(args));
    }

    /** The command line, for tests that run commands in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new SwitchboardCommand());
    }
}
