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
        int status;
        try {
            status = commandLine().execute(args);
        } catch (Throwable t) {
            // An error (not an exception) from a command, such as NoClassDefFoundError after the jar was
            // replaced under a running process, would end main and leave the JVM running on the admin
            // server's non-daemon thread: a proxy that no longer drains or stops on SIGTERM.
            System.err.println("switchboard: stopped by an unexpected error");
            t.printStackTrace();
            status = 70;
        }
        System.exit(status);
    }

    /** The command line, for tests that run commands in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new SwitchboardCommand()).setExecutionExceptionHandler((e, cl, parsed) -> {
            // Bad input (an unreadable kubeconfig, a port in use) is said in one line; anything else keeps its trace.
            if (e instanceof java.io.IOException || e instanceof IllegalArgumentException) {
                cl.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
    }
}
